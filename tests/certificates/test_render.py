import io
import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from portal.certificates.facts import CertificateData
from portal.certificates.font_files import FAMILY, UnprintableText
from portal.certificates.preview import certificate_preview
from portal.certificates.render import PAGE_W, certificate_pdf
from portal.certificates.typefaces import fonts_install, is_fast
from tests.factories_certificates import issuer_make, pdf_text

ISSUER = issuer_make()
COMMON = [
    "Fostering Compassion in Couples: Helping Couples Develop the Skills of Loving Connection",
    "presented by Michelle Becker, M.A., LMFT",
    "UC San Diego Center for Mindfulness, 9500 Gilman Drive, La Jolla, CA 92093",
    "May 18 and May 25, 2023",
    "live interactive online workshop (webinar)",
    "Certificate number CE-SAMPLE",
    "Issued Thu, May 25, 2023",
    "Dana Admin",
    "Continuing Education Administrator",
    "ce.example.org/verify?number=CE-SAMPLE",
    "Zoë Nguyễn-Ångström",
]
EXPECTED = {
    "APA": ["Certificate of Completion", "This course offers 6.0 CE credits for psychologists."],
    "BBS": [
        "Certificate of Completion",
        "License: LCSW 12345 (CA)",
        "6.0 CE credits may be applied to license renewal through the California Board of "
        "Behavioral Sciences.",
    ],
    "BRN": [
        "Certificate of Completion",
        "License: RN 654321",
        "Provider approved by the California Board of Registered Nursing, Provider Number "
        "CEP16351, for 7.0 contact hours.",
        "Provider Number CEP16351",
        "This document must be retained by the licensee for a period of four years after the "
        "course concludes.",
    ],
    "ATTENDANCE": [
        "Certificate of Attendance",
        "Attended 6.0 hours of instruction. This certificate makes no claim of continuing "
        "education credit.",
    ],
}


def _preview(course, credit_type, **kwargs):
    license = "RN 654321" if credit_type == "BRN" else None
    return certificate_preview(
        course=course, credit_type_id=credit_type, issuer=ISSUER, license=license, **kwargs
    )


@pytest.mark.parametrize("credit_type", list(EXPECTED))
def test_every_required_element_is_printed(course, credit_type):
    pdf = _preview(course, credit_type.lower())
    text = pdf_text(pdf)
    for expected in COMMON + EXPECTED[credit_type]:
        assert expected in text, expected
    statement = course.credit_type(credit_type).approval_statement
    assert statement in text  # word for word from the course file
    retention = "must be retained by the licensee"
    assert (retention in text) == (credit_type == "BRN")
    if credit_type in ("APA", "ATTENDANCE"):
        assert "License:" not in text


@pytest.mark.parametrize("credit_type", list(EXPECTED))
def test_one_landscape_letter_page_with_embedded_font_signature_and_link(course, credit_type):
    reader = PdfReader(io.BytesIO(_preview(course, credit_type)))
    [page] = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (792, 612)
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        descendant = ref.get_object()["/DescendantFonts"][0].get_object()
        assert "DejaVuSans" in descendant["/BaseFont"]
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    images = page["/Resources"]["/XObject"]
    assert len(images) >= 1  # the signature
    links = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert "https://ce.example.org/verify?number=CE-SAMPLE" in links
    # the QR code: one filled path of many module rectangles
    assert page.get_contents().get_data().count(b" re") > 100


def _data(name, **changes):
    values = dict(
        number="CE-ABCDEFGHJKMN",
        credit_type_id="BRN",
        heading="Certificate of Completion",
        participant_name=name,
        license="RN 654321 (CA)",
        program_title="A program",
        presenter="A Presenter",
        sponsor_name="A Sponsor",
        sponsor_address="1 Street",
        provider_number="CEP1",
        dates="May 18, 2023",
        format="Live online",
        hours="7.0",
        unit="contact hours",
        credit_line="For 7.0 contact hours.",
        approval_statement="Approved.",
        retention_statement="",
        issued_on=date(2023, 5, 30),
        administrator_name="Dana Admin",
        administrator_title="CE Administrator",
        verify_url="https://x.org/verify?number=CE-A",
    )
    return CertificateData(**(values | changes))


def test_same_data_gives_the_same_bytes():
    data = _data("Zoë Nguyễn-Ångström")
    assert certificate_pdf(data, ISSUER.signature) == certificate_pdf(data, ISSUER.signature)


def test_data_round_trips_through_json():
    data = _data("Иван Петров", sample=False)
    assert CertificateData.from_json(data.to_json()) == data


# One name per script a certificate must print; True: the fast fonts print it.
NAMES = {
    "latin": ("Zoë Nguyễn-Ångström", True),
    "latin-extended": ("Łucja Wąsowicz-Dvořák", True),
    "greek": ("Σοφία Παπαδοπούλου", True),
    "cyrillic": ("Иван Петров", True),
    "vietnamese": ("Nguyễn Thị Hương", True),
    "chinese": ("王小明", False),
    "japanese": ("山田 花子", False),
    "korean": ("김민준", False),
    "arabic": ("مريم العلي", False),
    "hebrew": ("נועה כהן", False),
    "devanagari": ("प्रिया शर्मा", False),
    "armenian": ("Արամ Խաչատրյան", False),
}


def _readable(text):
    """The text as a reader gets it. pypdf writes the code of a glyph that carries no
    text of its own as a control character: the second glyph of a Devanagari cluster, or
    a CJK glyph's leading code byte. Poppler's pdftotext drops them; so do we."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


@pytest.mark.parametrize("script", list(NAMES))
def test_every_script_prints_the_name_as_written(script):
    name, fast = NAMES[script]
    assert is_fast(name) == fast
    pdf = certificate_pdf(_data(name), ISSUER.signature)
    lines = [
        _readable(line) for line in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split("\n")
    ]
    # The whole name on one line, in logical order (Arabic and Hebrew from right to
    # left come out first letter first, as they were typed).
    assert name in lines
    if shutil.which("pdftotext"):
        seen = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        # pdftotext marks right-to-left runs with embedding controls (U+202B ... U+202C),
        # and puts a space where a Devanagari vowel sign's glyph leaves a gap.
        text = re.sub("[\u202a-\u202e ]", "", seen.stdout.decode())
        assert name.replace(" ", "") in text.split("\n")


def test_shaping_joins_arabic_letters():
    name = "مريم العلي"
    pdf = certificate_pdf(_data(name), ISSUER.signature)
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
    to_unicode = "".join(
        f.get_object()["/ToUnicode"].get_object().get_data().decode() for f in fonts
    )
    # Joined letters are distinct glyphs: the م that starts مريم and the one that ends
    # it are two glyphs of one letter (unshaped, one glyph would serve both).
    assert to_unicode.count("<0645>") == 2


def test_a_character_no_font_draws_is_refused_not_printed_as_a_box():
    with pytest.raises(UnprintableText) as refused:
        certificate_pdf(_data("Ann \U0001f642 Lee"), ISSUER.signature)
    assert refused.value.characters == ["\U0001f642"]
    assert "U+1F642" in str(refused.value)


def test_demo_certificate_says_demo_on_the_page():
    pdf = certificate_pdf(_data("Zoë Demo", demo=True), ISSUER.signature)
    text = pdf_text(pdf)
    assert "DEMO — NOT A VALID CE CERTIFICATE" in text
    assert "DEMO" not in pdf_text(certificate_pdf(_data("Zoë Demo"), ISSUER.signature))


def test_certificate_is_small():
    # Fonts are embedded as small pieces and the signature in a few shades.
    for name, _fast in NAMES.values():
        size = len(certificate_pdf(_data(name), ISSUER.signature))
        assert size <= 42_000, (name, size)


def _chunks(pdf):
    """(x in pt, text, font size, bold) of every text chunk on the page."""
    found = []

    def visit(text, _cm, tm, font, size):
        if text.strip():
            bold = "Bold" in str(font.get("/BaseFont", "")) if font else False
            found.append((tm[4], text, size * tm[0], bold))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(
    "name",
    [
        "Maria-Fernanda de los Ángeles Guadalupe Hernández-Villaseñor y Castillo-Østergård " * 3,
        "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessen" * 2,
    ],
)
def test_long_names_shrink_or_wrap_and_stay_on_the_page(name):
    pdf = certificate_pdf(_data(name.strip()), ISSUER.signature)
    assert re.sub(r"\s+", "", name) in re.sub(r"\s+", "", pdf_text(pdf))
    measure = FPDF(unit="pt")
    fonts_install(measure, regular=name, bold=name)
    for x, text, size, bold in _chunks(pdf):
        measure.set_font(FAMILY, "B" if bold else "", size)
        assert x >= 0 and x + measure.get_string_width(text) <= PAGE_W * 72 / 25.4, text


def test_sample_is_marked(course):
    assert "SAMPLE" in pdf_text(_preview(course, "APA"))
