"""Workspace glue: turns the panels' intents into CallService calls and re-renders the
current call. Holds only which call is current; the services own every rule."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QDateTime, QObject, Signal
from PySide6.QtGui import QGuiApplication

from desktop.core.calls import Call
from desktop.core.content.fill import fill_script
from desktop.core.content.model import ContentPack, Script
from desktop.core.script_catalog import ScriptCatalog
from desktop.services.calls import CallError, CallService
from desktop.services.settings import SettingsStore
from desktop.ui.workspace.checklist_panel import STEP_ROLE
from desktop.ui.workspace.view import WorkspaceView


class WorkspaceController(QObject):
    message = Signal(str)  # for the status bar
    current_call_changed = Signal(object)  # Call | None
    call_completed = Signal(object, object)  # Call after wrap-up, promised callback (UTC) or None

    def __init__(
        self,
        view: WorkspaceView,
        calls: CallService,
        settings: SettingsStore,
        pack: ContentPack,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.calls = calls
        self.settings = settings
        self.current: Call | None = None
        self._pack = pack
        self._catalog = ScriptCatalog(pack)
        self._step: str | None = None
        self._fill_cache: dict[tuple[str, str], str] = {}
        self._favourites = tuple(calls.favourites())
        self._searching = False
        v = view
        v.intent_bar.set_call_types(pack.call_types)
        v.intent_bar.intent_chosen.connect(self.choose_intent)
        v.intent_bar.priority_chosen.connect(self.choose_priority)
        v.checklist.tick_requested.connect(self.tick)
        v.checklist.list_widget.currentRowChanged.connect(self._step_focused)
        v.scripts.copy_requested.connect(self.copy_script)
        v.scripts.favourite_toggled.connect(self.toggle_favourite)
        v.notes.save_requested.connect(self.save_notes)
        v.wrap_up.complete_requested.connect(self.complete)
        v.wrap_up.promised_changed.connect(lambda _at: self._refill())
        v.call_bar.new_call_requested.connect(self.ask_new_call)
        v.call_bar.answer_requested.connect(self.answer)
        v.call_bar.end_requested.connect(self.end)
        v.call_bar.switch_requested.connect(self.switch_to)
        v.history.call_selected.connect(self.open_past_call)
        v.new_call.start_requested.connect(self.start_manual)
        v.new_call.cancelled.connect(v.new_call.hide)
        settings.subscribe(lambda _s: self._settings_changed())
        self._settings_changed()
        open_calls = calls.open_calls()
        self.show_call(open_calls[-1] if open_calls else None)
        if open_calls:
            self.message.emit(f"已恢复 {len(open_calls)} 个未结束的通话")

    # ---- pack and settings -----------------------------------------------------------
    def set_pack(self, pack: ContentPack) -> None:
        """A new good pack: rebuild buttons and lists; a call's removed step just disappears
        from the list while its stored tick stays in the database."""
        self._pack = pack
        self._catalog = ScriptCatalog(pack)
        self._fill_cache.clear()
        self.view.intent_bar.set_call_types(pack.call_types)
        self.refresh()

    @property
    def pack(self) -> ContentPack:
        return self._pack

    def _settings_changed(self) -> None:
        self._fill_cache.clear()
        self.view.call_bar.mask_numbers = self.settings.current.mask_numbers
        self.refresh()

    def _refill(self) -> None:
        self._fill_cache.clear()
        self._render_scripts()

    def fill_values(self) -> dict[str, str]:
        s = self.settings.current
        call = self.current
        promised = self.view.wrap_up.promised()
        return {
            "agent_name": s.agent_name,
            "agent_id": s.agent_id,
            "company": s.company,
            "hotline": s.hotline,
            "customer_name": (call.caller_name if call else "") or "",
            "promised_time": promised.astimezone().strftime("%m月%d日 %H:%M") if promised else "",
        }

    # ---- rendering -------------------------------------------------------------------
    def refresh(self) -> None:
        if self.current is not None:
            try:
                self.current = self.calls.get(self.current.id)
            except CallError:
                self.current = None
        self.show_call(self.current, keep_notes=True)

    def show_call(self, call: Call | None, keep_notes: bool = False) -> None:
        previous = self.current
        if not keep_notes and previous is not None and (call is None or call.id != previous.id):
            self.view.notes.flush()
        self.current = call
        v = self.view
        open_calls = self.calls.open_calls()
        v.call_bar.show_call(call, open_calls)
        editable = call is not None and call.status in ("ringing", "active", "wrap_up")
        v.intent_bar.show_call(call.intent if call else None, call.priority if call else None, True)
        self._render_checklist()
        if not keep_notes or previous is None or call is None or previous.id != call.id:
            v.notes.load(call.notes if call else "", editable)
            types = {t.key: t.label for t in self._pack.call_types}
            history = self.calls.caller_history(call.phone, call.id) if call else None
            v.history.show_history(history, types)
        self._render_wrap_up()
        self.current_call_changed.emit(call)

    def _render_checklist(self) -> None:
        call = self.current
        steps = self._pack.steps(call.intent) if call and call.intent else ()
        ticked = self.calls.ticked_steps(call.id) if call else {}
        editable = call is not None and call.status in ("ringing", "active", "wrap_up")
        self.view.checklist.show_steps(steps, ticked, editable)
        self._step = self.view.checklist.current_step
        self._render_scripts()

    def _render_scripts(self) -> None:
        if self._searching:
            return
        call = self.current
        groups = self._catalog.groups(call.intent if call else None, self._step, self._favourites)
        self.view.scripts.show_groups(groups, self._filled(s for g in groups for s in g.scripts))

    def _filled(self, scripts: Iterable[Script]) -> dict[str, str]:
        """Script id → text with this call's values filled in (cached until they change)."""
        values = self.fill_values()
        customer = values["customer_name"]
        out: dict[str, str] = {}
        for script in scripts:
            key = (script.id, customer)
            text = self._fill_cache.get(key)
            if text is None:
                text = self._fill_cache[key] = fill_script(script.text, values)
            out[script.id] = text
        return out

    def show_search_results(self, script_ids: list[str] | None) -> None:
        """None returns to the grouped view; a list shows ranked results."""
        self._searching = script_ids is not None
        if script_ids is None:
            self._render_scripts()
            return
        scripts = [s for s in (self._pack.script(i) for i in script_ids) if s is not None]
        self.view.scripts.show_results(scripts, self._filled(scripts))

    def _render_wrap_up(self) -> None:
        call = self.current
        bar = self.view.wrap_up
        visible = call is not None and call.status in ("active", "wrap_up")
        bar.setVisible(visible)
        if call is None or not visible:
            bar.reset()
            return
        in_two_hours = int(self.view.now().timestamp()) + 2 * 3600
        bar.prepare_promise(QDateTime.fromSecsSinceEpoch(in_two_hours))
        labels = {s.key: s.label for s in self._pack.steps(call.intent or "")}
        missing = [labels.get(k, k) for k in self.calls.missing_required(call.id)]
        bar.show_state(missing, call.outcome)

    def _step_focused(self, row: int) -> None:
        item = self.view.checklist.list_widget.item(row) if row >= 0 else None
        step = item.data(STEP_ROLE) if item is not None else None
        if step and step != self._step:
            self._step = step
            self._render_scripts()

    # ---- intents from the panels -----------------------------------------------------
    def _guard(self, action, *args) -> Call | None:
        try:
            return action(*args)
        except CallError as exc:
            self.message.emit(str(exc))
            return None

    def choose_intent(self, intent: str) -> None:
        """With no open call (idle, or the last one finished) an intent key starts one."""
        if self.current is None or not self.current.is_open:
            self.start_manual("", "")
        if self.current is None:
            return
        if self._guard(self.calls.set_intent, self.current.id, intent) is None:
            self.view.intent_bar.show_call(self.current.intent, self.current.priority, True)
            return
        self.current = self.calls.get(self.current.id)
        self.view.intent_bar.show_call(self.current.intent, self.current.priority, True)
        self._render_checklist()
        self._render_wrap_up()
        self.current_call_changed.emit(self.current)

    def choose_priority(self, priority: str) -> None:
        if self.current is not None and self._guard(
            self.calls.set_priority, self.current.id, priority
        ):
            self.current = self.calls.get(self.current.id)

    def tick(self, step_key: str, ticked: bool) -> None:
        if self.current is None:
            return
        if ticked:
            self.calls.tick(self.current.id, step_key)
        else:
            self.calls.untick(self.current.id, step_key)
        self._render_checklist()
        self._render_wrap_up()

    def copy_script(self, script_id: str, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text)
        if clipboard.text() != text:
            self.message.emit("无法写入剪贴板：请在话术列表中选中文字手动复制")
            return
        if script_id:
            self.calls.mark_script_used(self.current.id if self.current else None, script_id)
        self.message.emit("已复制话术：" + text[:30])

    def toggle_favourite(self, script_id: str) -> None:
        pinned = script_id not in self._favourites
        self.calls.set_favourite(script_id, pinned)
        self._favourites = tuple(self.calls.favourites())
        self._render_scripts()
        self.message.emit("已收藏话术" if pinned else "已取消收藏")

    def save_notes(self, text: str) -> None:
        call = self.current
        if call is None:
            return
        whole = self.calls.save_notes(call.id, text)
        self.view.notes.show_saved("已保存" if whole else "记录过长：只保存了前 200,000 字")

    # ---- lifecycle -------------------------------------------------------------------
    def ask_new_call(self) -> None:
        active = self.current is not None and self.current.status in ("ringing", "active")
        self.view.new_call.open_for(active)

    def start_manual(self, number: str, open_call: str) -> None:
        self.view.new_call.hide()
        if open_call == "wrap" and self.current is not None:
            self._guard(self.calls.end, self.current.id)
        self.view.notes.flush()
        call = self.calls.start_call(number, source="manual")
        if number.strip() and not call.phone:
            self.message.emit(f"号码「{number.strip()[:30]}」无法识别，已按无号码来电记录")
        self.show_call(call)
        self.view.intent_bar.setFocus()

    def start_call_from(self, call: Call) -> None:
        """A call created elsewhere (softphone, reminder): current unless one is in progress."""
        current = self.current
        busy = current is not None and current.status in ("ringing", "active")
        if current is not None and busy and current.id != call.id:
            self.show_call(current, keep_notes=True)
            self.message.emit(f"新来电 {call.phone or '无号码'}：可在右上角切换")
            return
        self.show_call(call)

    def apply_call_event(self, call: Call) -> None:
        """A softphone event changed `call`: a new ring pops it (unless another call is in
        progress); a change to the shown call re-renders it."""
        if self.current is not None and self.current.id == call.id:
            self.refresh()
        elif call.status == "ringing" or self.current is None or not self.current.is_open:
            self.start_call_from(call)
        else:
            self.show_call(self.current, keep_notes=True)  # the open-calls list changed

    def open_past_call(self, call_id: str) -> None:
        """An earlier call from the history: opened when no conversation is in progress;
        during one, its notes go to the status bar so the live call stays on screen."""
        if self.current is not None and self.current.status in ("ringing", "active"):
            past = self._guard(self.calls.get, call_id)
            if past is not None:
                self.message.emit(f"历史记录：{past.notes or '（无记录）'}")
            return
        self.switch_to(call_id)

    def switch_to(self, call_id: str) -> None:
        call = self._guard(self.calls.get, call_id)
        if call is not None:
            self.show_call(call)

    def answer(self) -> None:
        if self.current is not None:
            self.current = self._guard(self.calls.answer, self.current.id) or self.current
            self.refresh()

    def end(self) -> None:
        if self.current is not None:
            self.view.notes.flush()
            self.current = self._guard(self.calls.end, self.current.id) or self.current
            self.refresh()
            self.view.wrap_up.setFocus()

    def complete(self, outcome: str, reason: str, promised: object = None) -> None:
        call = self.current
        if call is None:
            return
        self.view.notes.flush()
        done = self._guard(self.calls.wrap_up, call.id, outcome, reason)
        if done is None:
            self._render_wrap_up()
            return
        self.view.wrap_up.reset()
        self.call_completed.emit(done, promised)
        remaining = [c for c in self.calls.open_calls() if c.id != call.id]
        self.show_call(remaining[-1] if remaining else done)
        self.message.emit("通话已完成并保存")
