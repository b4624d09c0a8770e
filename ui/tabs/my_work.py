"""The registry officer's duty (เจ้าหน้าที่ทะเบียน): "my work" — their own change sets (drafts, pending, returned
with the registrar's reason or the conflict's comparison, applied, and any the server has not got, with why)
with edit, send again, merge and cancel — and, on the people tab, the guided actions: a new staff member, an
event of the chosen person, the unit's data. Every button runs one use case of app.usecases.registry on the
database worker and redraws what it changed."""
from __future__ import annotations

from app import editing
from app.changeset import ChangeSet, ReviewState
from app.usecases import Changed, Desk
from app.usecases import forms, registry

from ..changesets import ChangeSetPanel
from ..event_dialogs import EditDialog, HireDialog, PersonEventDialog, UnitDialog
from ..i18n import tr
from ..main_window import shortcut_tip
from ..qt import QMenu, QPushButton, Signal
from .host import Host


class MyWorkTab(ChangeSetPanel):
    title = ("งานของฉัน", "My work")
    edit_opened = Signal(object)      # the edit dialog, once its fields were read on the worker
    unit_opened = Signal(object)      # the unit-data dialog, once the unit record was read on the worker

    def __init__(self, host: Host) -> None:
        super().__init__(host.runner, registry.my_work, host.today)
        self.host, self.card = host, host.card
        self.get_blob = host.get_blob
        self.dialog = None   # the guided-action dialog open now (tests drive it)
        self.setObjectName("myWork")
        self.edit = self.add_button("แก้ไข (&E)…", "&Edit…", self.edit_chosen, "editButton")
        self.edit.setToolTip(shortcut_tip(tr("แก้ไขรายการที่เลือก", "Edit the chosen one"), "Alt+E"))
        self.resend = self.add_button(*self.RESEND, self.resend_chosen, "resendButton")
        self.resend.setToolTip(shortcut_tip(tr("ส่งรายการที่เลือกให้นายทะเบียนตรวจ", "Send the chosen one for review"),
                                            "Alt+S"))
        self.merge = self.add_button("รวมส่วนที่ไม่ขัดแย้งเป็นชุดใหม่ (&M)", "&Merge what does not overlap",
                                     self.merge_chosen, "mergeButton")
        self.merge.setToolTip(shortcut_tip(tr("รวมส่วนที่ไม่ขัดแย้งเป็นชุดใหม่", "Merge what does not overlap"),
                                           "Alt+M"))
        self.cancel = self.add_button("ยกเลิกรายการ", "Cancel it", self.cancel_chosen, "cancelButton")
        self.loaded.connect(host.work_loaded.emit)
        self._guided_actions()

    # the resend button's words: a draft never sent goes to the registrar; a returned one goes back again
    RESEND = ("ส่งให้นายทะเบียนตรวจ (&S)", "&Send for review")
    RESEND_AGAIN = ("ส่งตรวจอีกครั้ง (&S)", "&Send for review again")

    def _guided_actions(self) -> None:
        """The officer's buttons on the people tab: they act on the unit or on the person chosen there. The
        events offered are those the rules accept about the chosen person (app.usecases.forms.events_of)."""
        hire = QPushButton(tr("รับบุคลากรใหม่ (&N)…", "&New staff member…"))
        hire.setObjectName("hireButton")
        hire.setToolTip(shortcut_tip(tr("รับบุคลากรใหม่ พร้อมครอบครัว", "A new staff member, with the family"),
                                     "Ctrl+N"))
        hire.clicked.connect(self.open_hire)
        # A push button with a menu leaves room for its arrow beside the text (a tool button drew it over the
        # text's last characters).
        self.event_button = QPushButton(tr("บันทึกเหตุการณ์ของผู้ที่เลือก (&E)…", "R&ecord an event for the chosen person…"))
        self.event_button.setObjectName("eventButton")
        self.event_menu = QMenu(self.event_button)
        self.event_menu.setObjectName("eventMenu")
        self.event_button.setMenu(self.event_menu)
        self.host.chosen_changed.connect(self.offer_events)
        unit = QPushButton(tr("ข้อมูลหน่วยงาน (&U)…", "&Unit data…"))
        unit.setObjectName("unitButton")
        unit.setToolTip(shortcut_tip(tr("ข้อมูลพื้นฐานของหน่วยงาน", "The unit's basic data"), "Alt+U"))
        unit.clicked.connect(self.open_unit)
        row = self.host.actions_row
        row.addWidget(hire)
        row.addWidget(self.event_button)
        row.addStretch(1)
        row.addWidget(unit)
        self.hire_button, self.unit_button = hire, unit
        self.host.shortcut("Ctrl+N", self.open_hire, "hireShortcut")
        self.offer_events()

    def offer_events(self) -> None:
        """The event menu for the person chosen now: only what the rules accept about them, as they stand."""
        self.event_menu.clear()
        kinds = forms.events_of(self.host.current_relations()) if self.host.current_cid() else ()
        for kind in kinds:
            th, en = forms.PERSON_EVENTS[kind]
            action = self.event_menu.addAction(tr(th, en))
            action.setObjectName(kind)
            action.triggered.connect(lambda _checked=False, k=kind: self.open_event(k))
        self.event_button.setEnabled(bool(kinds))
        what = tr("บันทึกเหตุการณ์ของผู้ที่เลือกในรายชื่อ", "Record an event for the person chosen in the list") \
            if kinds else tr("เลือกบุคคลจากรายชื่อก่อน", "Choose a person from the list first")
        self.event_button.setToolTip(shortcut_tip(what, "Alt+E"))

    def selection_changed(self, chosen: list[ChangeSet]) -> None:
        one = chosen[0] if len(chosen) == 1 else None
        editable = one is not None and one.state in editing.EDITABLE_STATES
        self.edit.setEnabled(editable)
        self.resend.setEnabled(editable)
        if one is not None:   # (nothing chosen: the button is off and keeps its words — as while the list goes)
            sent_before = any(t.state is ReviewState.PENDING for t in one.history)
            self.resend.setText(tr(*(self.RESEND_AGAIN if sent_before else self.RESEND)))
        self.merge.setEnabled(one is not None and one.state is ReviewState.RETURNED)
        self.cancel.setEnabled(editable)  # a pending one is the registrar's until it comes back

    def redraw(self, changed: Changed) -> None:
        if changed.changesets:
            self.reload()

    # --- the guided actions -----------------------------------------------------------------------------

    def open_hire(self) -> HireDialog | None:
        if self.desk is None:
            return None
        return self._open(hire_dialog(self, self.desk), "hireDialog")

    def open_event(self, kind: str) -> PersonEventDialog | None:
        cid = self.host.current_cid()
        if self.desk is None or cid is None:
            self.host.tell(tr("กรุณาเลือกบุคคลจากรายชื่อก่อน", "Choose a person from the list first."))
            return None
        return self._open(event_dialog(self, self.desk, kind, cid), "eventDialog")

    def open_unit(self) -> None:
        """The unit's record is read on the worker; the dialog opens when it arrives (unit_opened)."""
        desk = self.desk
        if desk is None:
            return

        def opened(unit) -> None:
            if unit is None:
                self.host.tell(tr("ยังไม่มีข้อมูลหน่วยงานในเครื่องนี้ กรุณาซิงก์ขณะออนไลน์ก่อน",
                                  "This PC has no unit record yet: sync while online first."))
                return
            self.unit_opened.emit(self._open(unit_dialog(self, desk, unit), "unitDialog"))

        self.runner.run(lambda: registry.unit_data(desk), opened, self.host.refused)

    def edit_chosen(self) -> None:
        """The fields are read on the database worker; the dialog opens when they arrive (edit_opened)."""
        cs, desk = self._chosen_one(), self.desk
        if cs is None or desk is None:
            return

        def opened(records) -> None:
            self.edit_opened.emit(self._open(edit_dialog(self, desk, cs, records), "editDialog"))

        self.runner.run(lambda: editing.editable(desk.register, cs), opened, self.host.refused)

    def _open(self, dialog, name: str):
        dialog.setObjectName(name)
        dialog.kept.connect(self._kept)   # the dialog keeps its own work (app.usecases.registry.record)
        dialog.open()
        self.dialog = dialog
        self.host.opened(dialog)
        return dialog

    def _kept(self, changed: Changed) -> None:
        title = changed.changeset.title
        self.host.say(tr(f"ส่ง «{title}» ให้นายทะเบียนตรวจแล้ว (จะขึ้นเซิร์ฟเวอร์เมื่อซิงก์)",
                         f"“{title}” sent for review (goes to the server at the next sync).") if changed.owed else
                      tr(f"บันทึกร่าง «{title}» แล้ว", f"Draft “{title}” saved."))
        self.host.render(changed)

    # --- my work's buttons --------------------------------------------------------------------------------

    def _chosen_one(self) -> ChangeSet | None:
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def resend_chosen(self) -> None:
        cs, desk, today = self._chosen_one(), self.desk, self.today
        if cs is None or desk is None:
            return
        self.runner.run(lambda: registry.resubmit(desk, cs, today), self._kept, self.host.refused)

    def cancel_chosen(self) -> None:
        cs, desk = self._chosen_one(), self.desk
        if cs is None or desk is None:
            return
        self.runner.run(lambda: registry.cancel(desk, cs), self.host.render, self.host.refused)

    def merge_chosen(self) -> None:
        cs, desk = self._chosen_one(), self.desk
        if cs is None or desk is None:
            return
        self.runner.run(lambda: registry.merge(desk, cs), self._merged, self.host.refused)

    def _merged(self, changed: Changed) -> None:
        new, left = changed.changeset, changed.left
        text = tr(f"รวมเป็นชุดใหม่ «{new.title}» และส่งตรวจแล้ว", f"Merged into “{new.title}” and sent.")
        if left:
            text += tr(" ช่องที่ยังขัดแย้งและต้องตัดสินใจเอง: " + ", ".join(left), " Left to decide: " + ", ".join(left))
        self.host.tell(text)
        self.host.render(changed)


# --- the guided-action dialogs: each takes the Desk, keeps its change set itself and emits `kept` -------------

def hire_dialog(tab: MyWorkTab, desk: Desk) -> HireDialog:
    return HireDialog(tab.runner, tab.card, desk, tab.today, tab.window())


def event_dialog(tab: MyWorkTab, desk: Desk, kind: str, cid: str) -> PersonEventDialog:
    return PersonEventDialog(kind, tab.runner, tab.card, desk, tab.today, cid, tab.window())


def edit_dialog(tab: MyWorkTab, desk: Desk, cs: ChangeSet, records) -> EditDialog:
    return EditDialog(tab.runner, desk, tab.today, cs, records, tab.window())


def unit_dialog(tab: MyWorkTab, desk: Desk, unit) -> UnitDialog:
    return UnitDialog(tab.runner, desk, tab.today, unit, tab.window())
