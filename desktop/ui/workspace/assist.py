"""Connects the text assist to the workspace: analyses the notes shortly after each
keystroke, searches scripts as the agent types, and offers the complaint priority path."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from desktop.services.script_usage import ScriptUsage
from desktop.services.text_assist import TextAssist
from desktop.ui.workspace.assist_bar import AssistBar, phrase_advice, underline_phrases
from desktop.ui.workspace.controller import WorkspaceController

ANALYSE_DELAY_MS = 120


class AssistController(QObject):
    def __init__(
        self, workspace: WorkspaceController, assist: TextAssist, scripts: ScriptUsage
    ) -> None:
        super().__init__(workspace)
        self.workspace = workspace
        self.assist = assist
        self.bar = AssistBar()
        view = workspace.view
        view.notes.assist.addWidget(self.bar)
        self._usage = scripts.usage_counts()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ANALYSE_DELAY_MS)
        self._timer.timeout.connect(self.analyse_now)
        view.notes.text_edited.connect(lambda _text: self._timer.start())
        view.scripts.search_changed.connect(self.search)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(ANALYSE_DELAY_MS)
        self._draft_timer.timeout.connect(self.check_draft)
        view.scripts.draft_edited.connect(lambda _text: self._draft_timer.start())
        view.scripts.copy_requested.connect(self._count_use)
        self.bar.intent_accepted.connect(workspace.choose_intent)
        self.bar.complaint_path_accepted.connect(self.accept_complaint_path)
        self.bar.calming_requested.connect(self.show_calming)
        workspace.current_call_changed.connect(lambda _call: self.analyse_now())

    def analyse_now(self) -> None:
        self._timer.stop()
        editor = self.workspace.view.notes.editor
        current = self.workspace.current
        result = self.assist.analyse(editor.toPlainText() if current is not None else "")
        labels = {t.key: t.label for t in self.workspace.pack.call_types}
        self.bar.show_assist(result, current.intent if current else None, labels)
        underline_phrases(editor, result.phrase_hits)

    def check_draft(self) -> None:
        """The phrase checker on a reply the agent is adapting in the script panel."""
        scripts = self.workspace.view.scripts
        hits = self.assist.check_phrases(scripts.draft.toPlainText())
        underline_phrases(scripts.draft, hits)
        scripts.draft_warning.setText(phrase_advice(hits))
        scripts.draft_warning.setVisible(bool(hits))

    def accept_complaint_path(self) -> None:
        """Suggested by the signal, applied only on the agent's click: 投诉 + 紧急 + calming."""
        self.workspace.choose_intent("complaint")
        self.workspace.choose_priority("urgent")
        self.workspace.refresh()
        self.show_calming()

    def show_calming(self) -> None:
        self.workspace.show_search_results(self.assist.calming_scripts[:12])

    def search(self, query: str) -> None:
        if not query.strip():
            self.workspace.show_search_results(None)
            return
        current = self.workspace.current
        ids = self.assist.search.search(
            query,
            call_type=current.intent if current else None,
            step=self.workspace.view.checklist.current_step,
            usage=self._usage,
        )
        self.workspace.show_search_results(ids)

    def _count_use(self, script_id: str, _text: str) -> None:
        self._usage[script_id] = self._usage.get(script_id, 0) + 1
