"""Who may hold which role in a unit."""
from app.domain import Officer, Role
from tests.builders import new_cid


def officer(role, position="นักทรัพยากรบุคคล", cid=None, email=None, name="สมศรี"):
    c = cid or new_cid()
    return Officer(c, name, position, role, "U1", email or f"{c}@example.go.th")


def check(*officers):
    from app.rules.officers import check_unit_officers
    return check_unit_officers(officers).codes()


def test_a_unit_with_one_registrar_who_is_palad_passes():
    assert check(officer(Role.REGISTRAR, "ปลัดเทศบาล"), officer(Role.REGISTRY_OFFICER),
                 officer(Role.FINANCE_OFFICER, "นักวิชาการเงินและบัญชี")) == []


def test_registrar_must_exist_be_alone_and_hold_an_allowed_position():
    assert "registrar.missing" in check(officer(Role.REGISTRY_OFFICER))
    assert "registrar.more_than_one" in check(officer(Role.REGISTRAR, "ปลัด อบต."),
                                              officer(Role.REGISTRAR, "รองปลัด อบต."))
    assert "registrar.position" in check(officer(Role.REGISTRAR, "นักวิเคราะห์นโยบายและแผน"))
    assert check(officer(Role.REGISTRAR, "หัวหน้าหน่วยการคลัง")) == []
    assert check(officer(Role.REGISTRAR, "รองปลัดองค์การบริหารส่วนจังหวัด")) == []


def test_one_person_cannot_be_registry_and_finance_officer():
    c = new_cid()
    codes = check(officer(Role.REGISTRAR, "ปลัด"), officer(Role.REGISTRY_OFFICER, cid=c),
                  officer(Role.FINANCE_OFFICER, cid=c, email="other@example.go.th"))
    assert "role.registry_and_finance" in codes


def test_each_officer_needs_a_valid_cid_and_an_email_of_their_own():
    shared = "unit@example.go.th"
    codes = check(officer(Role.REGISTRAR, "ปลัด", email=shared), officer(Role.REGISTRY_OFFICER, email=shared),
                  officer(Role.FINANCE_OFFICER, cid="1234567890123"),
                  officer(Role.FINANCE_OFFICER, email="not-an-email"))
    assert {"officer.email_shared", "cid.checksum", "officer.email_invalid"} <= set(codes)


def test_the_same_person_twice_in_the_same_role_is_a_duplicate():
    c = new_cid()
    assert "officer.duplicate" in check(officer(Role.REGISTRAR, "ปลัด"), officer(Role.REGISTRY_OFFICER, cid=c),
                                        officer(Role.REGISTRY_OFFICER, cid=c))
