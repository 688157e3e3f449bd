import io
import zipfile

import pytest

from portal.certificates import font_files
from portal.certificates.bundle import certificates_zip
from portal.certificates.font_files import Face, FontsMissing
from portal.certificates.queries import CertificateFile, filename_for
from portal.cli.main import main
from portal.runtime import runtime_start
from portal.settings import Settings
from tests.factories_certificates import pdf_text


def test_zip_holds_every_file_and_reports_progress():
    files = [CertificateFile(f"CE-{i}", f"CE-{i}.pdf", b"%PDF-" + bytes([i])) for i in range(5)]
    seen = []
    data = certificates_zip(files, progress=lambda done, total: seen.append((done, total)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f.filename for f in files]
        assert archive.read("CE-3.pdf") == files[3].pdf
    assert seen[-1] == (5, 5) and len(seen) == 5


def test_filenames_are_ascii_without_path_characters():
    name = filename_for("CE-X", "BRN", "Zoë Nguyễn/../Ångström")
    assert name == "CE-X_BRN_zoe-nguyen-angstrom.pdf"
    assert filename_for("CE-X", "APA", "Иван") == "CE-X_APA_participant.pdf"


def test_cli_preview_writes_the_sample(tmp_path, app_env):
    out = tmp_path / "brn.pdf"
    code = main(
        [
            "certificates",
            "preview",
            "--credit-type",
            "brn",
            "--name",
            "Zoë Nguyễn-Ångström",
            "--license",
            "RN 654321",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = pdf_text(out.read_bytes())
    assert "Zoë Nguyễn-Ångström" in text and "License: RN 654321" in text
    assert "May 18 and May 25, 2023" in text and "7.0 contact hours" in text


def test_cli_preview_refuses_unknown_ids(tmp_path, app_env, capsys):
    out = tmp_path / "x.pdf"
    assert main(["certificates", "preview", "--credit-type", "CME", "--out", str(out)]) == 2
    assert "APA, BBS, BRN, ATTENDANCE" in capsys.readouterr().err
    assert not out.exists()


def _without_a_font(monkeypatch, tmp_path):
    gone = Face(
        "noto-gone", tmp_path / "NotoSansGone-Regular.ttf", tmp_path / "NotoSansGone-Bold.ttf"
    )
    monkeypatch.setattr(font_files, "FALLBACKS", (*font_files.FALLBACKS, gone))
    return gone


def test_cli_preview_without_the_fonts_says_what_to_install(tmp_path, app_env, capsys, monkeypatch):
    gone = _without_a_font(monkeypatch, tmp_path)
    out = tmp_path / "x.pdf"
    assert main(["certificates", "preview", "--credit-type", "APA", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"Certificate font missing: {gone.regular}" in err and "make fonts" in err
    assert not out.exists()


def test_the_portal_does_not_start_without_the_fonts(tmp_path, monkeypatch):
    _without_a_font(monkeypatch, tmp_path)
    with pytest.raises(FontsMissing, match="fonts-noto-core"):
        runtime_start(Settings.model_construct())


def test_cli_preview_refuses_a_name_no_font_prints(tmp_path, app_env, capsys):
    out = tmp_path / "x.pdf"
    args = ["certificates", "preview", "--credit-type", "APA", "--name", "ꦱꦸꦏꦂꦤ"]
    assert main([*args, "--out", str(out)]) == 2
    assert "No font can print 'ꦱ' (U+A9B1)" in capsys.readouterr().err
    assert not out.exists()
