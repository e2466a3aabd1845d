"""Workspace glue: turns the panels' intents into service calls and renders the current
call from one snapshot (`CallScreen`). Holds only which call is current; the services own
every rule. Changes made elsewhere (reminders done, settings, a new pack, another call)
arrive on the change hub and are redrawn once, coalesced, on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from desktop.core.calendar import AgentCalendar
from desktop.core.calls import Call, missing_required_steps
from desktop.core.changes import OpChanges
from desktop.core.content.fill import fill_script
from desktop.core.content.model import ContentPack, Script
from desktop.core.privacy import mask_number
from desktop.core.script_catalog import ScriptCatalog
from desktop.services.call_screen import CallScreen, CallScreenReader
from desktop.services.calls import CallError, CallService
from desktop.services.follow_ups import FollowUps
from desktop.services.notes_keeper import NotesKeeper, SaveResult
from desktop.services.script_usage import ScriptUsage
from desktop.services.settings import SettingsStore
from desktop.ui.change_hub import ChangeHub
from desktop.ui.workspace.checklist_panel import STEP_ROLE
from desktop.ui.workspace.view import WorkspaceView

NOTES_RETRY_MS = (1000, 2000, 4000, 8000, 15_000, 30_000)


class WorkspaceController(QObject):
    message = Signal(str)  # for the status bar
    current_call_changed = Signal(object)  # Call | None
    call_completed = Signal(object)  # WrapUpResult: the call and the reminders it made

    def __init__(
        self,
        view: WorkspaceView,
        calls: CallService,
        screen: CallScreenReader,
        scripts: ScriptUsage,
        follow_ups: FollowUps,
        settings: SettingsStore,
        pack: Callable[[], ContentPack],
        hub: ChangeHub,
        notes: NotesKeeper,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.calls = calls
        self.screen = screen
        self.scripts = scripts
        self.follow_ups = follow_ups
        self.settings = settings
        self.current: Call | None = None
        self._content = pack
        self._pack = pack()
        self._catalog = ScriptCatalog(self._pack)
        self._step: str | None = None
        self._ticked: dict[str, str] = {}
        self._fill_cache: dict[tuple[str, str], str] = {}
        self._favourites = tuple(scripts.favourites())
        self._searching = False
        self._showing_steps = False  # the checklist's own redraw moves its cursor: not a focus
        self._acting = 0  # inside our own action: it renders itself, the hub need not
        self._dirty_call = False
        self._dirty_history = False
        self._dirty_open_calls = False  # another call changed: only the call bar's list
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(0)
        self._redraw.timeout.connect(self._redraw_changes)
        self.notes = notes
        self._notes_retry = QTimer(self)
        self._notes_retry.setSingleShot(True)
        self._notes_retry.timeout.connect(self.retry_notes)
        self._notes_retries = 0
        v = view
        v.intent_bar.set_call_types(self._pack.call_types)
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
        hub.changed.connect(self._on_changes)
        self.view.call_bar.mask_numbers = self.settings.current.mask_numbers
        open_calls = calls.open_calls()
        self.show_call(open_calls[-1] if open_calls else None)
        if open_calls:
            self.message.emit(f"已恢复 {len(open_calls)} 个未结束的通话")

    # ---- changes from elsewhere --------------------------------------------------------
    def _on_changes(self, changes: OpChanges, _origin: object) -> None:
        if changes.settings:
            self._settings_changed()
        if changes.content:
            self.set_pack(self._content())
        if self._acting:
            return
        if changes.touches_call(self.current.id if self.current else None):
            self._dirty_call = True
        elif changes.calls:  # other calls: nothing on screen shows them but the open-calls list
            self._dirty_open_calls = True
        if changes.reminders:
            self._dirty_history = True
        if self._dirty_call or self._dirty_history or self._dirty_open_calls:
            self._redraw.start()

    def _redraw_changes(self) -> None:
        """One redraw for everything that changed since the last one."""
        history, self._dirty_history = self._dirty_history, False
        dirty, self._dirty_call = self._dirty_call, False
        open_calls, self._dirty_open_calls = self._dirty_open_calls, False
        if not (history or dirty):
            if open_calls:
                self.view.call_bar.show_call(self.current, self.calls.open_call_list())
            return
        call = self.current
        if call is not None:
            try:
                call = self.calls.get(call.id)
            except CallError:
                call = None
        self._render(call, keep_notes=True, history=history)

    def _rendered(self) -> None:
        """A render happened: what the hub had queued is covered by it."""
        self._dirty_call = False
        self._dirty_history = False
        self._dirty_open_calls = False

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

    def calendar(self) -> AgentCalendar:
        """The one time policy for everything this workspace shows."""
        return self.settings.calendar()

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
            "promised_time": self.calendar().format(promised, "%m月%d日 %H:%M") if promised else "",
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
        new_caller = not keep_notes or previous is None or call is None or previous.id != call.id
        if not keep_notes and previous is not None and (call is None or call.id != previous.id):
            self.view.notes.flush()
        self._render(call, keep_notes=keep_notes, history=new_caller)

    def _render(self, call: Call | None, *, keep_notes: bool, history: bool) -> None:
        """Render the whole workspace from one snapshot of `call`."""
        previous = self.current
        screen = self.screen.screen(call, with_history=history)
        self.current = call
        self._ticked = dict(screen.ticked)
        v = self.view
        v.call_bar.show_call(call, list(screen.open_calls))
        v.intent_bar.show_call(call.intent if call else None, call.priority if call else None, True)
        self._render_checklist()
        new_call = not keep_notes or previous is None or call is None or previous.id != call.id
        if new_call:
            v.notes.load(call.notes if call else "", call is not None and call.is_open)
        if screen.history is not None:
            types = {t.key: t.label for t in self._pack.call_types}
            v.history.show_history(screen.history if call else None, types, self.calendar())
        self._render_wrap_up(screen)
        self._rendered()
        self.current_call_changed.emit(call)

    def _render_checklist(self) -> None:
        call = self.current
        steps = self._pack.steps(call.intent) if call and call.intent else ()
        editable = call is not None and call.is_open
        self._showing_steps = True
        try:
            self.view.checklist.show_steps(steps, self._ticked, editable, self.calendar())
        finally:
            self._showing_steps = False
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

    def _render_wrap_up(self, screen: CallScreen | None = None) -> None:
        call = self.current
        bar = self.view.wrap_up
        visible = call is not None and call.status in ("active", "wrap_up")
        bar.setVisible(visible)
        if not visible or call is None:
            bar.reset()
            return
        calendar = self.calendar()
        bar.set_calendar(calendar)
        bar.prepare_promise(self.view.now() + timedelta(hours=2))
        missing = (
            screen.missing_required
            if screen is not None
            else missing_required_steps(self._pack, call.intent, set(self._ticked))
        )
        labels = {s.key: s.label for s in self._pack.steps(call.intent or "")}
        bar.show_state(
            [labels.get(k, k) for k in missing], call.outcome, ending=call.status == "wrap_up"
        )

    def _step_focused(self, row: int) -> None:
        if self._showing_steps:  # _render_checklist renders the scripts once afterwards
            return
        item = self.view.checklist.list_widget.item(row) if row >= 0 else None
        step = item.data(STEP_ROLE) if item is not None else None
        if step and step != self._step:
            self._step = step
            self._render_scripts()

    # ---- intents from the panels -----------------------------------------------------
    def _guard(self, action: Callable[..., Any], *args: Any) -> Any:
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
        with self._acting_on():
            call = self._guard(self.calls.set_intent, self.current.id, intent)
        if call is None:
            self.view.intent_bar.show_call(self.current.intent, self.current.priority, True)
            return
        self.current = call
        self.view.intent_bar.show_call(call.intent, call.priority, True)
        self._render_checklist()
        self._render_wrap_up()
        self.current_call_changed.emit(call)

    def choose_priority(self, priority: str) -> None:
        if self.current is None:
            return
        with self._acting_on():
            call = self._guard(self.calls.set_priority, self.current.id, priority)
        if call is not None:
            self.current = call

    def tick(self, step_key: str, ticked: bool) -> None:
        if self.current is None:
            return
        with self._acting_on():
            if ticked:
                self._ticked[step_key] = self.calls.tick(self.current.id, step_key)
            else:
                self.calls.untick(self.current.id, step_key)
                self._ticked.pop(step_key, None)
        self._render_checklist()
        self._render_wrap_up()

    @contextmanager
    def _acting_on(self) -> Iterator[None]:
        """Our own action: it renders itself, so the hub's news of it is not redrawn."""
        self._acting += 1
        try:
            yield
        finally:
            self._acting -= 1

    def copy_script(self, script_id: str, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text)
        if clipboard.text() != text:
            self.message.emit("无法写入剪贴板：请在话术列表中选中文字手动复制")
            return
        if script_id:
            self.scripts.mark_used(self.current.id if self.current else None, script_id)
        self.message.emit("已复制话术：" + text[:30])

    def toggle_favourite(self, script_id: str) -> None:
        pinned = script_id not in self._favourites
        self.scripts.set_favourite(script_id, pinned)
        self._favourites = tuple(self.scripts.favourites())
        self._render_scripts()
        self.message.emit("已收藏话术" if pinned else "已取消收藏")

    def save_notes(self, text: str) -> None:
        call = self.current
        if call is None:
            return
        result = self.notes.save(call.id, text)
        self._show_notes_result(result)
        if not result.saved:
            self._retry_notes_later()

    def _show_notes_result(self, result: SaveResult) -> None:
        if result.saved:
            self.view.notes.show_saved(
                "已保存" if result.whole else "记录过长：只保存了前 200,000 字"
            )
        else:
            self.view.notes.show_unsaved(result.reason, str(result.kept_at or ""))

    def _retry_notes_later(self) -> None:
        if not self._notes_retry.isActive():
            step = min(self._notes_retries, len(NOTES_RETRY_MS) - 1)
            self._notes_retry.start(NOTES_RETRY_MS[step])
            self._notes_retries += 1

    def retry_notes(self) -> bool:
        """Try the notes the database refused again; True when nothing is left pending."""
        left = self.notes.retry()
        if not left:
            self._notes_retries = 0
            if self.current is not None:
                self.view.notes.show_saved("已保存（重试成功）")
            return True
        if self.current is not None and self.current.id in left:
            self.view.notes.show_unsaved("数据库暂时无法写入", str(self.notes.rescue_dir))
        self._retry_notes_later()
        return False

    # ---- lifecycle -------------------------------------------------------------------
    def ask_new_call(self) -> None:
        active = self.current is not None and self.current.status in ("ringing", "active")
        self.view.new_call.open_for(active)

    def start_manual(self, number: str, open_call: str) -> None:
        self.view.new_call.hide()
        with self._acting_on():
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
        # an unfinished wrap-up stays on screen too; the desk shows the second ring's banner
        busy = self.current is not None and self.current.status in ("ringing", "active", "wrap_up")
        if busy and self.current is not None and self.current.id != call.id:
            self._show_open_calls()
            if call.status != "ringing":  # a ring has the desk's 第二路来电 banner instead
                number = mask_number(call.phone) if call.phone else "无号码"
                self.message.emit(f"新来电 {number}：可在右上角切换")
            return
        self.show_call(call)

    def apply_call_event(self, call: Call) -> None:
        """A softphone event changed `call` (the value given is current): a new ring pops it
        (unless another call is in progress); a change to the shown call re-renders it."""
        if self.current is not None and self.current.id == call.id:
            self.show_call(call, keep_notes=True)
        elif call.status == "ringing" or self.current is None or not self.current.is_open:
            self.start_call_from(call)
        else:
            self._show_open_calls()  # only the open-calls list changed

    def _show_open_calls(self) -> None:
        """Another call rang or changed while this one is on screen: only the call bar's
        list of open calls needs redrawing, once after the batch of events (a burst of 200
        rings read and rebuilt the whole list 200 times)."""
        self._dirty_open_calls = True
        self._redraw.start()

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
            with self._acting_on():
                call = self._guard(self.calls.answer, self.current.id)
            self.show_call(call or self.current, keep_notes=True)

    def end(self) -> None:
        if self.current is not None:
            self.view.notes.flush()
            with self._acting_on():
                call = self._guard(self.calls.end, self.current.id)
            self.show_call(call or self.current, keep_notes=True)
            self.view.wrap_up.setFocus()

    def complete(self, outcome: str, reason: str, promised: object = None) -> None:
        call = self.current
        if call is None:
            return
        self.view.notes.flush()
        with self._acting_on():
            done = self._guard(self.follow_ups.wrap_up, call.id, outcome, reason, promised)
        if done is None:
            self._render_wrap_up()
            return
        self.view.wrap_up.reset()
        self.call_completed.emit(done)
        remaining = [c for c in self.calls.open_calls() if c.id != call.id]
        self.show_call(remaining[-1] if remaining else done.call)
        self.message.emit("通话已完成并保存")

    def show_callback(self, call: Call) -> None:
        """A call just made for a reminder (call back now): it becomes the current call."""
        self.view.notes.flush()
        self.show_call(call)
