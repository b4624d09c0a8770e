"""Writing a document: whole or not at all, and a Thai message saying what to do when it cannot be written."""
import os
import tempfile

import pytest

from app.documents import write_file
from app.errors import Refusal
from tests.builders import unwritable_folder


def test_a_file_is_written_whole_and_nothing_else_is_left(tmp_path):
    out = write_file(tmp_path / "หนังสือ.pdf", b"%PDF-1.4 first")
    assert out.read_bytes() == b"%PDF-1.4 first"
    write_file(out, b"%PDF-1.4 second")
    assert out.read_bytes() == b"%PDF-1.4 second"
    assert [p.name for p in tmp_path.iterdir()] == ["หนังสือ.pdf"]


def test_a_long_thai_file_name_is_written_too(tmp_path):
    name = "หนังสือขอสิทธิเข้าใช้งาน องค์การบริหารส่วนตำบลหนองบัวใหญ่เฉลิมพระเกียรติ ศูนย์ราชการ.pdf"
    assert len(name.encode()) > 230   # near the 255-byte limit of a file name
    out = write_file(tmp_path / name, b"%PDF-1.4")
    assert out.read_bytes() == b"%PDF-1.4"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_an_unwritable_folder_is_refused_in_thai_with_what_to_do(tmp_path):
    folder = unwritable_folder(tmp_path)
    with pytest.raises(PermissionError):
        tempfile.mkstemp(dir=folder)  # the folder really is unwritable here
    with pytest.raises(Refusal) as e:
        write_file(folder / "statement.xlsx", b"PK")
    assert e.value.code == "documents.folder_unwritable"
    message = str(e.value)
    assert "ไม่มีสิทธิ์เขียน" in message and "กรุณาเลือกโฟลเดอร์อื่น" in message and "statement.xlsx" in message
    assert not (folder / "statement.xlsx").exists()


def test_a_missing_folder_is_refused_in_thai(tmp_path):
    with pytest.raises(Refusal) as e:
        write_file(tmp_path / "ไม่มี" / "a.pdf", b"x")
    assert e.value.code == "documents.folder_missing" and "ไม่พบโฟลเดอร์" in str(e.value)


def test_a_failed_rename_leaves_the_old_file_as_it_was_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "statement.pdf"
    out.write_bytes(b"the signed one")

    def locked(src, dst):  # what Windows says when the PDF is open in a reader
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(Refusal) as e:
        write_file(out, b"a new one")
    assert e.value.code == "documents.file_in_use" and "กรุณาปิดไฟล์นั้น" in str(e.value)
    assert out.read_bytes() == b"the signed one"
    assert [p.name for p in tmp_path.iterdir()] == ["statement.pdf"]
