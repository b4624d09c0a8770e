"""The detail pane: who the person is, their entitlement over time, their dependents, other coverage."""
from __future__ import annotations

import datetime as _dt
from html import escape

from app.cid import format_cid
from app.domain import tables
from app.errors import Severity
from app.rules.entitlement import Span
from app.thai import format_date_short
from app.usecases import PersonDetail

from .i18n import tr
from .people_model import relation_label
from .qt import QTextBrowser

CSS = """
h2 { font-size: 15pt; margin: 0 0 2px 0; }
h3 { font-size: 12pt; margin: 14px 0 4px 0; color: #1f4e79; }
.muted { color: #666; }
.ok { color: #1b7f3b; font-weight: bold; }
.no { color: #a33; font-weight: bold; }
.info { color: #7a5b00; }
table { border-collapse: collapse; }
th { background: #eef3f8; text-align: left; }
td { border-bottom: 1px solid #e3e3e3; }
"""


def _end(s: Span) -> str:
    return tr("ปัจจุบัน", "present") if s.end is None else format_date_short(s.end - _dt.timedelta(days=1))


def _ptype(code: str) -> str:
    t = tables().personnel_types.get(code)
    return (t.th if t else code) if tr("th", "en") == "th" else (t.en if t else code)


def render(detail: PersonDetail | None, today: _dt.date) -> str:
    if detail is None:
        return f"<p class='muted'>{tr('เลือกบุคคลจากรายการเพื่อดูรายละเอียด', 'Choose a person to see the details.')}</p>"
    p = detail.person
    out = [f"<style>{CSS}</style>", f"<h2>{escape(p.name_th)}</h2>"]
    if p.name_en:
        out.append(f"<div class='muted'>{escape(p.name_en)}</div>")
    facts = [(tr("เลขประจำตัวประชาชน", "Citizen ID"), format_cid(p.cid))]
    if p.birth:
        facts.append((tr("วันเกิด", "Born"), tr(p.birth.format_th(), p.birth.format_en())))
    if p.died_on:
        facts.append((tr("เสียชีวิต", "Died"), format_date_short(p.died_on)))
    out.append("<table cellpadding='2' cellspacing='0'>" + "".join(f"<tr><td class='muted'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                                   for k, v in facts) + "</table>")
    now = any(s.contains(today) for s in detail.spans)
    badge = (f"<span class='ok'>{tr('มีสิทธิ', 'Entitled')}</span>" if now
             else f"<span class='no'>{tr('ไม่มีสิทธิ', 'Not entitled')}</span>")
    out.append(f"<h3>{tr('สิทธิ ณ วันที่', 'Entitlement on')} {format_date_short(today)}: {badge}</h3>")
    if detail.spans:
        out.append(f"<table cellpadding='3' cellspacing='0'><tr><th>{tr('ฐานะ', 'As')}</th><th>{tr('ประเภท', 'Type')}</th>"
                   f"<th>{tr('ตั้งแต่', 'From')}</th><th>{tr('ถึง', 'To')}</th><th></th></tr>")
        for s in sorted(detail.spans, key=lambda s: s.start):
            note = tr("ใช้สิทธิประกันสังคมก่อน", "social security first") if s.secondary else ""
            out.append(f"<tr><td>{relation_label(s.relation)}</td><td>{escape(_ptype(s.personnel_type))}</td>"
                       f"<td>{format_date_short(s.start)}</td><td>{_end(s)}</td>"
                       f"<td class='info'>{note}</td></tr>")
        out.append("</table>")
    else:
        out.append(f"<p class='muted'>{tr('ไม่มีช่วงเวลาที่มีสิทธิ', 'No period of entitlement.')}</p>")
    if detail.employments:
        out.append(f"<h3>{tr('การปฏิบัติงาน', 'Service')}</h3>")
        out.append(f"<table cellpadding='3' cellspacing='0'><tr><th>{tr('ประเภทและตำแหน่ง', 'Type and position')}</th>"
                   f"<th>{tr('ตั้งแต่', 'From')}</th><th>{tr('ถึง', 'To')}</th><th>{tr('เหตุ', 'Reason')}</th></tr>")
        for e in detail.employments:
            last = format_date_short(e.end - _dt.timedelta(days=1)) if e.end else tr("ปัจจุบัน", "present")
            reason = (e.end_reason.th if tr("th", "en") == "th" else e.end_reason.value) if e.end_reason else ""
            out.append(f"<tr><td>{escape(_ptype(e.personnel_type))}<br/><span class='muted'>{escape(e.position)}"
                       f"</span></td><td>{format_date_short(e.start)}</td><td>{last}</td><td>{escape(reason)}</td></tr>")
        out.append("</table>")
    if detail.notes:
        out.append(f"<h3>{tr('สิทธิการรักษาอื่นและข้อสังเกต', 'Other coverage and notes')}</h3><ul>")
        for v in detail.notes:
            cls = "no" if v.severity is Severity.ERROR else "info"
            out.append(f"<li class='{cls}'>{escape(v.message(tr('th', 'en')))}</li>")
        out.append("</ul>")
    if detail.documents:
        out.append(f"<h3>{tr('เอกสารประกอบ', 'Supporting documents')}</h3><ul>")
        for d in detail.documents:
            out.append(f"<li><a href='evidence:{d.sha}'>{escape(d.label)}</a> "
                       f"<span class='muted'>— {escape(d.changeset_title)} ({escape(d.state.th)}, "
                       f"{format_date_short(d.day)})</span></li>")
        out.append("</ul>")
    if detail.certificates:
        out.append(f"<h3>{tr('หนังสือรับรองสิทธิที่ออก', 'Certificates of entitlement issued')}</h3><ul>")
        for c in detail.certificates:
            line = tr(f"ออกหนังสือรับรองสิทธิ เลขที่ {c.number} ({format_date_short(c.issued_on)})",
                      f"Certificate no. {c.number} issued ({format_date_short(c.issued_on)})")
            out.append(f"<li>{escape(line)} <span class='muted'>— {escape(tr('เข้ารับการรักษา', 'admitted'))} "
                       f"{format_date_short(c.admitted_on)} {escape(c.hospital)} · {escape(c.issued_by_name)}</span></li>")
        out.append("</ul>")
    if detail.dependents:
        out.append(f"<h3>{tr('ผู้มีสิทธิร่วม', 'Dependents')}</h3>")
        out.append(f"<table cellpadding='3' cellspacing='0'><tr><th>{tr('ฐานะ', 'As')}</th><th>{tr('ชื่อ–นามสกุล', 'Name')}</th>"
                   f"<th>{tr('ช่วงที่มีสิทธิ', 'Entitled')}</th><th>{tr('วันนี้', 'Today')}</th></tr>")
        for d in detail.dependents:
            periods = "<br/>".join(f"{format_date_short(s.start)} – {_end(s)}" for s in d.spans) or "—"
            if d.entitled_today:
                status = f"<span class='ok'>{tr('มีสิทธิ', 'Entitled')}</span>"
            else:
                status = f"<span class='no'>{tr('ไม่มีสิทธิ', 'Not entitled')}</span>"
            if d.verdict is not None:
                status += f"<br/><span class='{'no' if d.verdict.severity is Severity.ERROR else 'info'}'>" \
                          f"{escape(d.verdict.message(tr('th', 'en')))}</span>"
            out.append(f"<tr><td>{relation_label(d.relation)}</td><td>{escape(d.person.name_th)}</td>"
                       f"<td>{periods}</td><td>{status}</td></tr>")
        out.append("</table>")
    return "".join(out)


class PersonPane(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.detail: PersonDetail | None = None
        self.show_detail(None, _dt.date.today())

    def show_detail(self, detail: PersonDetail | None, today: _dt.date) -> None:
        self.detail = detail
        self.setHtml(render(detail, today))


