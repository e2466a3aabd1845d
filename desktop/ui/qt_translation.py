"""Qt's own texts (Cancel, OK, Yes, the file and colour dialogs) in Chinese: the qtbase
translation that ships with PySide6."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LOCALE = "zh_CN"


def install_qt_translation(app: QCoreApplication, locale: str = LOCALE) -> QTranslator | None:
    """Load qtbase_<locale> (once per app); None when PySide6 ships none for it."""
    existing = getattr(app, "_callassist_qt_translator", None)
    if existing is not None:
        return existing
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(locale), "qtbase", "_", folder):
        return None
    app.installTranslator(translator)
    app._callassist_qt_translator = translator  # type: ignore[attr-defined]
    return translator
