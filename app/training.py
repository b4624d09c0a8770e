"""The training unit: a made-up อบต. with staff and families, for training mode, demos and benchmarks.

Deterministic for a given seed, so a screenshot or a benchmark means the same thing every run. Every
citizen ID passes the checksum and starts with ``9`` followed by zeros, so demo people are easy to tell
from real ones on a screen or in a log.
"""
from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass
from pathlib import Path

from . import cid as cidmod
from .domain import (
    Basis, Coverage, Employment, EndReason, Marriage, Officer, Parentage, ParentKind, Person, Role, Scheme, Sex,
    StartReason, Unit, UnitLevel,
)
from .thai import PartialDate

D = _dt.date

UNIT = Unit("TRN0001", "องค์การบริหารส่วนตำบลบ้านฝึกหัด", UnitLevel.SAO, "ขอนแก่น",
            "99 หมู่ 1 ตำบลบ้านฝึกหัด อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000", "043-000-000",
            "saraban@banfukhad.example.go.th")

MALE = [("สมชาย", "Somchai"), ("ประเสริฐ", "Prasert"), ("วิชัย", "Wichai"), ("สุรชัย", "Surachai"),
        ("อนุชา", "Anucha"), ("ธนพล", "Thanaphon"), ("กิตติ", "Kitti"), ("ปิยะ", "Piya"), ("ณัฐวุฒิ", "Nattawut"),
        ("บุญมี", "Bunmi"), ("สมศักดิ์", "Somsak"), ("ชัยวัฒน์", "Chaiwat"), ("ศุภชัย", "Supachai"),
        ("พงศกร", "Phongsakon"), ("เกียรติศักดิ์", "Kiattisak"), ("ภูมิใจ", "Phumchai")]
FEMALE = [("สมหญิง", "Somying"), ("มาลี", "Mali"), ("วันเพ็ญ", "Wanphen"), ("สุภาพร", "Suphaphon"),
          ("กาญจนา", "Kanchana"), ("ปราณี", "Pranee"), ("อรุณี", "Arunee"), ("นภัสสร", "Naphatsorn"),
          ("ศิริพร", "Siriphon"), ("พิมพ์ชนก", "Phimchanok"), ("จันทร์เพ็ญ", "Chanphen"), ("รัตนา", "Rattana"),
          ("ณัฐธิดา", "Natthida"), ("ปิ่นแก้ว", "Pinkaew"), ("ขวัญใจ", "Khwanchai"), ("ดวงใจ", "Duangjai")]
LAST = [("ใจดี", "Jaidee"), ("ศรีสุข", "Srisuk"), ("มีสุข", "Meesuk"), ("ทองดี", "Thongdee"),
        ("แก้วมณี", "Kaewmanee"), ("บุญมา", "Boonma"), ("สายทอง", "Saithong"), ("พรหมมา", "Phromma"),
        ("วงศ์สวัสดิ์", "Wongsawat"), ("ศรีวิไล", "Sriwilai"), ("คำภู", "Khamphu"), ("ภูผาทอง", "Phuphathong"),
        ("ชัยมงคล", "Chaimongkhon"), ("อินทร์แก้ว", "Inkaew"), ("นาคสวัสดิ์", "Naksawat"), ("ภู่ทอง", "Phuthong")]

OFFICERS = [
    # (role, position, first, last, sex)
    (Role.REGISTRAR, "ปลัดองค์การบริหารส่วนตำบล", ("ประเสริฐ", "Prasert"), ("ทองดี", "Thongdee"), Sex.MALE),
    (Role.REGISTRY_OFFICER, "นักทรัพยากรบุคคล", ("มาลี", "Mali"), ("ศรีสุข", "Srisuk"), Sex.FEMALE),
    (Role.FINANCE_OFFICER, "นักวิชาการเงินและบัญชี", ("สุภาพร", "Suphaphon"), ("แก้วมณี", "Kaewmanee"), Sex.FEMALE),
]

# Every training officer's password on the training central server: made-up accounts on made-up data,
# printed in the README — a demonstration value, not a secret.
TRAINING_PASSWORD = "Training-2569"

TYPES = [("local_official", 55), ("local_teacher", 15), ("permanent_employee", 15), ("pensioner", 10),
         ("contract_staff", 4), ("executive_sao", 1)]


@dataclass
class TrainingData:
    unit: Unit
    officers: list[Officer]
    persons: list[Person]
    records: list  # employments, marriages, parentages, coverages

    def all_records(self) -> list:
        return [self.unit, *self.persons, *self.records]


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def cid(self) -> str:
        self.n += 1
        return cidmod.complete(f"9{self.n:011d}")

    def rid(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n:08d}"


def _person(rng: random.Random, ids: _Ids, sex: Sex, born: D, last=None, *, title=True) -> Person:
    first = rng.choice(MALE if sex is Sex.MALE else FEMALE)
    last = last or rng.choice(LAST)
    age = (D(2026, 1, 1) - born).days // 365
    if sex is Sex.MALE:
        title_th, title_en = ("นาย", "Mr.") if age >= 15 else ("เด็กชาย", "Master")
    else:
        title_th, title_en = ("นาง", "Mrs.") if age >= 15 else ("เด็กหญิง", "Miss")
    return Person(ids.cid(), first[0], last[0], title_th if title else "", "", title_en, first[1], "", last[1],
                  PartialDate.of(born), sex)


def generate(staff: int = 120, seed: int = 2569, dependents_target: float = 1.5) -> TrainingData:
    """A unit with ``staff`` staff and about ``dependents_target`` dependents each."""
    rng = random.Random(seed)
    ids = _Ids()
    persons: list[Person] = []
    records: list = []
    officers = []
    for role, position, first, last, sex in OFFICERS:
        p = Person(ids.cid(), first[0], last[0], "นาย" if sex is Sex.MALE else "นาง", "", "Mr." if sex is Sex.MALE
                   else "Mrs.", first[1], "", last[1], PartialDate.of(D(1975 + len(officers) * 6, 4, 12)), sex)
        persons.append(p)
        records.append(Employment(ids.rid("emp"), p.cid, UNIT.code, "local_official", D(2005, 10, 1), position))
        officers.append(Officer(p.cid, p.name_th, position, role, UNIT.code,
                                f"{first[1].lower()}.{last[1].lower()}@banfukhad.example.go.th",
                                "08" + f"{rng.randrange(10**8):08d}",
                                "palad" if role is Role.REGISTRAR else ""))
    weights = [w for _, w in TYPES]
    made_dependents = 0
    for i in range(staff):
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        ptype = rng.choices([t for t, _ in TYPES], weights)[0]
        age = rng.randint(62, 80) if ptype == "pensioner" else rng.randint(24, 59)
        born = D(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
        me = _person(rng, ids, sex, born)
        persons.append(me)
        start = D(max(born.year + 22, 1990), rng.randint(1, 12), 1)
        if ptype == "pensioner":
            retired = D(born.year + 60, 10, 1)
            records.append(Employment(ids.rid("emp"), me.cid, UNIT.code, "local_official", start,
                                      "เจ้าพนักงานธุรการ", StartReason.HIRE, retired, EndReason.RETIREMENT))
            records.append(Employment(ids.rid("emp"), me.cid, UNIT.code, "pensioner", retired, "ผู้รับบำนาญ",
                                      StartReason.PENSION))
        else:
            end, reason = None, None
            if rng.random() < 0.04:
                end, reason = D(2024, rng.randint(1, 12), 1), EndReason.RESIGNATION
            records.append(Employment(ids.rid("emp"), me.cid, UNIT.code, ptype, start,
                                      rng.choice(["นักวิเคราะห์นโยบายและแผน", "นักจัดการงานทั่วไป", "ครู",
                                                  "เจ้าพนักงานธุรการ", "นายช่างโยธา", "นักวิชาการสาธารณสุข"]),
                                      StartReason.HIRE, end, reason))
        wanted = dependents_target * (i + 1) - made_dependents
        family_last = (me.last_th, me.last_en)
        if rng.random() < 0.65 and wanted > 0:
            s_sex = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
            spouse = _person(rng, ids, s_sex, D(born.year + rng.randint(-3, 3), rng.randint(1, 12),
                                                  rng.randint(1, 28)), family_last)
            persons.append(spouse)
            married = D(max(born.year + 25, 1995), rng.randint(1, 12), rng.randint(1, 28))
            records.append(Marriage(ids.rid("mar"), me.cid, spouse.cid, f"{rng.randint(1, 999)}/{married.year + 543}",
                                    married, "ที่ว่าการอำเภอเมืองขอนแก่น"))
            made_dependents += 1
            if rng.random() < 0.2:
                records.append(Coverage(ids.rid("cov"), spouse.cid, Scheme.SOCIAL_SECURITY, Basis.OWN,
                                        D(2015, 1, 1)))
            for k in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 4])):
                cborn = married + _dt.timedelta(days=400 + 700 * k + rng.randint(0, 300))
                if cborn > D(2026, 6, 1):
                    break
                child = _person(rng, ids, rng.choice([Sex.MALE, Sex.FEMALE]), cborn, family_last)
                persons.append(child)
                records.append(Parentage(ids.rid("par"), me.cid, child.cid, ParentKind.LEGITIMATE))
                records.append(Parentage(ids.rid("par"), spouse.cid, child.cid, ParentKind.LEGITIMATE))
                made_dependents += 1
        if rng.random() < 0.3 and age < 50 and dependents_target * (i + 1) - made_dependents > 0:
            mother = _person(rng, ids, Sex.FEMALE, D(born.year - rng.randint(22, 35), rng.randint(1, 12), 1),
                             family_last)
            persons.append(mother)
            records.append(Parentage(ids.rid("par"), mother.cid, me.cid, ParentKind.LEGITIMATE))
            made_dependents += 1
    return TrainingData(UNIT, officers, persons, records)


def seed(register, data: TrainingData) -> int:
    """Load the training data into a working copy at revision 1 and derive entitlement."""
    register.put(((r, 1) for r in data.all_records()), recompute=False)
    return register.recompute_all()


# --- training data made with the old check-digit rule ----------------------------------------------------
# Until issue 15 the check digit weighted the first twelve digits 12…1 instead of DOPA's 13…2, and every
# training ID was made with it. Training data from then (a training central server's database, a desk's
# training working copy) holds IDs the rules now refuse: it is rebuilt, never left half-valid. Real data is
# never touched: only the training unit's rows (UNIT.code), only on the training paths.

def old_rule_ids(cids) -> list[str]:
    """The IDs among ``cids`` that fail today's rule (None and blanks ignored), sorted, each once."""
    return sorted({c for c in cids if c and not cidmod.is_valid(c)})


def rebuild_note(done_th: str, done_en: str, stale: list[str]) -> str:
    """What was rebuilt and why, Thai first, English second (one line each): ``done_th``/``done_en`` say what
    was done, e.g. "สร้างข้อมูลฝึกหัดบนเซิร์ฟเวอร์กลางใหม่"."""
    example = cidmod.format_cid(stale[0]) if stale else ""
    return (f"{done_th} เพราะเลขประจำตัวประชาชนในข้อมูลฝึกหัดเดิม (เช่น {example}) สร้างด้วยสูตรคำนวณเลขตรวจสอบ"
            f"แบบเก่าที่ผิด ข้อมูลจริงไม่ถูกแตะต้อง\n"
            f"{done_en}: the citizen IDs in the old training data (e.g. {example}) were made with the old, wrong "
            f"check-digit rule. No real data was touched.")


def set_aside_old_copy(data_dir: Path, keys) -> tuple[Path, list[str]] | None:
    """The desk's training working copy, if it holds IDs made with the old rule, is moved aside (into
    ``quarantine/``, byte for byte, its key kept: nothing is deleted) so that the next log-in starts a new copy
    and downloads the training unit again. Returns (where it went, the old IDs), or None when there was
    nothing to do: no copy, a copy that opens only with a key we do not have (the log-in deals with that as it
    always does), or a sound one."""
    from .store.db import db_path, peek, quarantine

    conn = peek(data_dir, UNIT.code, keys)
    if conn is None:
        return None
    try:
        found = conn.execute("SELECT value FROM meta WHERE key = 'unit_code'").fetchone()
        if found is None or found[0] != UNIT.code:
            return None  # not the training unit's copy: never touched
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = [(t, c) for t, c in (("records", "cid"), ("records", "other_cid"), ("local_accounts", "cid"),
                                       ("changesets", "author_cid")) if t in tables]  # a copy of any age
        cids = [r[0] for r in conn.execute(" UNION ".join(f"SELECT {c} FROM {t}" for t, c in columns))] \
            if columns else []
    finally:
        conn.close()
    stale = old_rule_ids(cids)
    if not stale:
        return None
    info = quarantine(db_path(data_dir, UNIT.code), "old_cid_rule", keys, UNIT.code)
    return info.moved_to, stale


# --- the finance officer's training claims (issue 19) -----------------------------------------------------
# The made-up facilities and papers behind the training server's claims (server.training.put_claims): a receipt
# or a medical certificate as a sheet feeder gives it, a JPEG of an A5 page, drawn in the bundled Sarabun.

FACILITIES = [("คลินิกเวชกรรมบ้านฝึกหัด", "private"), ("โรงพยาบาลเอกชนศรีฝึกหัด", "private"),
              ("โรงพยาบาลฝึกหัดพัฒนา", "state"), ("ศูนย์ทันตกรรมบ้านฝึกหัด", "private")]


def paper_scan(title: str, lines: list[tuple[str, str]], issuer: str, note: str = "") -> bytes:
    """A made-up paper (``title`` by ``issuer``; each line a label and its value; ``note`` at the foot) as a scan:
    a JPEG of an A5 page at 100 dpi, marked as training data."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from .paths import font_files

    fonts = font_files()
    dpi, width, height = 100, 583, 827
    big = ImageFont.truetype(str(fonts["bold"]), 26)
    body = ImageFont.truetype(str(fonts["regular"]), 18)
    small = ImageFont.truetype(str(fonts["italic"]), 14)
    image = Image.new("RGB", (width, height), (250, 249, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, width - 24, height - 24), outline=(120, 120, 120), width=2)
    draw.text((width // 2, 70), issuer, font=body, fill=(40, 40, 40), anchor="mm")
    draw.text((width // 2, 115), title, font=big, fill=(0, 0, 0), anchor="mm")
    draw.line((60, 145, width - 60, 145), fill=(120, 120, 120), width=1)
    y = 180
    for label, value in lines:
        draw.text((60, y), label, font=body, fill=(70, 70, 70))
        draw.text((250, y), value, font=body, fill=(0, 0, 90))
        y += 42
    if note:
        draw.text((60, y + 20), note, font=body, fill=(0, 0, 0))
    draw.line((width - 250, height - 130, width - 60, height - 130), fill=(90, 90, 90), width=1)
    draw.text((width - 155, height - 110), "ผู้รับเงิน / ผู้ออกเอกสาร", font=small, fill=(70, 70, 70), anchor="mm")
    draw.text((width // 2, height - 50), "ข้อมูลสมมติสำหรับฝึกหัด — ไม่ใช่เอกสารจริง", font=small,
              fill=(160, 40, 40), anchor="mm")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80, dpi=(dpi, dpi))
    return buf.getvalue()
