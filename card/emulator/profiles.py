"""Training-card profiles: data files (``profiles/*.json`` with a JPEG each) describing made-up people.

``python -m card.emulator.profiles`` writes them from the training unit (app.training), so the cards
match the people in the training working copy. Photos are drawn for the purpose — no real person's
face or data. The training PIN of every card is 1234: it is a demonstration value, printed in the
README, not a secret.
"""
from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from app import training
from app.domain import Person, Role, Sex

from .. import thaiid
from .card import VirtualCard

FOLDER = Path(__file__).with_name("profiles")
TRAINING_PIN = "1234"


@dataclass
class Profile:
    id: str
    label_th: str
    fields: dict[str, str]
    photo: bytes
    pin: str = TRAINING_PIN
    atr: str = "3b68"

    def card(self) -> VirtualCard:
        return VirtualCard(thaiid.build_image(self.fields, self.photo), self.pin, self.atr)


def load(profile_id: str, folder: Path = FOLDER) -> Profile:
    path = folder / f"{profile_id}.json"
    if not path.exists():
        known = ", ".join(available(folder))
        raise FileNotFoundError(f"ไม่มีบัตรฝึกหัดชื่อ «{profile_id}» (มี: {known})")
    raw = json.loads(path.read_text(encoding="utf-8"))
    photo = (folder / raw["photo"]).read_bytes() if raw.get("photo") else b""
    return Profile(raw["id"], raw["label_th"], raw["fields"], photo, raw.get("pin", TRAINING_PIN),
                   raw.get("atr", "3b68"))


def available(folder: Path = FOLDER) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json"))


# --- making the profiles ------------------------------------------------------------------------------

def _be(d) -> str:
    return f"{d.year + 543:04d}{d.month:02d}{d.day:02d}"


def _fields(p: Person, address: str, *, birth: str | None = None, expires: str = "25740101",
            middle_en: str = "") -> dict[str, str]:
    return {
        "version": "0003",
        "cid": p.cid,
        "name_th": f"{p.title_th}#{p.first_th}#{p.middle_th}#{p.last_th}",
        "name_en": f"{p.title_en}#{p.first_en}#{middle_en or p.middle_en}#{p.last_en}",
        "birth": birth or (f"{p.birth.year + 543:04d}{p.birth.month:02d}{p.birth.day:02d}" if p.birth else "00000000"),
        "sex": p.sex.value if p.sex else "1",
        "request_no": f"4001-{int(p.cid[-6:]) % 10000:04d}-{p.cid[-4:]}",
        "issuer": "ท้องถิ่นอำเภอเมืองขอนแก่น/ขอนแก่น",
        "issuer_code": "40010000" + p.cid[-5:],
        "issued": "25660315",
        "expires": expires,
        "card_type": "01",
        "address": address,
    }


def draw_photo(seed: str, initials: str, female: bool) -> bytes:
    """A made-up portrait: a plain silhouette on a coloured background, as a small JPEG."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = 297, 356  # the card photo's proportions
    bg = tuple(rng.randint(170, 230) for _ in range(3))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    skin = (rng.randint(190, 230), rng.randint(150, 190), rng.randint(120, 160))
    shirt = (rng.randint(20, 90), rng.randint(40, 110), rng.randint(80, 160))
    d.ellipse((58, 250, 239, 430), fill=shirt)
    d.rectangle((123, 215, 174, 270), fill=skin)
    d.ellipse((88, 80, 209, 240), fill=skin)
    hair = (rng.randint(10, 40),) * 3
    if female:
        d.pieslice((78, 62, 219, 200), 180, 360, fill=hair)
        d.rectangle((78, 130, 98, 250), fill=hair)
        d.rectangle((199, 130, 219, 250), fill=hair)
    else:
        d.pieslice((84, 66, 213, 176), 180, 360, fill=hair)
    d.text((10, 10), initials, fill=(60, 60, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=55, optimize=True)
    return out.getvalue()


def build_all(folder: Path = FOLDER) -> list[str]:
    data = training.generate(staff=120)
    by_cid = {p.cid: p for p in data.persons}
    unit_address = "99#หมู่ที่ 1###ตำบลบ้านฝึกหัด#อำเภอเมืองขอนแก่น#จังหวัดขอนแก่น"
    chosen: list[tuple[str, str, Person, dict]] = []
    role_ids = {Role.REGISTRAR: "registrar", Role.REGISTRY_OFFICER: "registry", Role.FINANCE_OFFICER: "finance"}
    for o in data.officers:
        p = by_cid[o.cid]
        chosen.append((role_ids[o.role], f"{o.role.th} — {p.name_th}", p, {}))
    staff = [p for p in data.persons[3:] if p.title_th in ("นาย", "นาง")][:4]
    chosen.append(("staff1", f"บุคลากร — {staff[0].name_th}", staff[0], {}))
    chosen.append(("staff2", f"บุคลากร (ชื่อกลางภาษาอังกฤษ) — {staff[1].name_th}", staff[1],
                   {"middle_en": "Lee"}))
    chosen.append(("elder", f"ผู้สูงอายุ บัตรตลอดชีพ วันเกิดไม่ทราบวัน — {staff[2].name_th}", staff[2],
                   {"expires": "99999999", "birth": f"{staff[2].birth.year + 543 - 20:04d}0000"}))
    chosen.append(("bangkok", f"ที่อยู่กรุงเทพฯ — {staff[3].name_th}", staff[3],
                   {"address": "88/12#หมู่ที่ 3#ตรอกวัดโพธิ์#ซอยสุขุมวิท 11#ถนนสุขุมวิท#แขวงคลองเตยเหนือ#เขตวัฒนา#กรุงเทพมหานคร"}))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pid, label, person, extra in chosen:
        address = extra.pop("address", unit_address)
        fields = _fields(person, address, **extra)
        photo = draw_photo(pid, f"{person.first_en[:1]}{person.last_en[:1]}", person.sex is Sex.FEMALE)
        (folder / f"{pid}.jpg").write_bytes(photo)
        atr = "3b67" if pid == "staff2" else "3b68"
        body = {"id": pid, "label_th": label, "pin": TRAINING_PIN, "atr": atr, "photo": f"{pid}.jpg",
                "fields": fields}
        (folder / f"{pid}.json").write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(pid)
    return written


if __name__ == "__main__":
    print("written:", ", ".join(build_all()))
