"""The parts of fpdf2 the certificate renderer relies on that are not its public API.

portal/certificates/typefaces.py caches parsed fonts and their PDF objects across PDFs
(a certificate costs a few milliseconds instead of ~150), and render.py caches the decoded
signature and draws the QR code as one path. pyproject.toml pins fpdf2's minor version;
before moving to a new one, these tests say exactly what changed.
"""

import inspect
import io

import fpdf
import pytest
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.image_parsing import get_img_info
from fpdf.output import OutputProducer
from fpdf.syntax import PDFContentStream
from pypdf import PdfReader

from portal.certificates import typefaces
from portal.certificates.render import certificate_pdf
from tests.certificates.test_render import _data
from tests.factories_certificates import issuer_make


def test_fpdf2_is_the_pinned_minor_version():
    assert fpdf.__version__.startswith("2.8."), (
        f"fpdf2 {fpdf.__version__}: check every test in this file, then move the pin in "
        "pyproject.toml"
    )


def test_ttffont_constructor_and_slots():
    parameters = list(inspect.signature(TTFFont.__init__).parameters)
    assert parameters[:9] == [
        "self",
        "fpdf",
        "font_file_path",
        "fontkey",
        "style",
        "unicode_range",
        "axes_dict",
        "palette_index",
        "collection_font_number",
    ]
    used = {"i", "fontkey", "ttffile", "ttfont", "desc", "missing_glyphs", "biggest_size_pt"}
    used |= {"subset", "cmap", "cw", "_hbfont", "emphasis"}
    assert used <= set(TTFFont.__slots__), used - set(TTFFont.__slots__)


def test_subset_map_keeps_its_mapping_in_three_attributes():
    font = typefaces._piece("core", "")
    subset = SubsetMap(font)
    assert {"_next", "_reserved", "_char_id_per_glyph"} <= set(vars(subset))
    assert callable(subset.pick)
    # Memoised per instance for the life of the process: the renderer clears them.
    assert callable(SubsetMap.pick.cache_clear) and callable(SubsetMap.get_glyph.cache_clear)


def test_output_producer_builds_fonts_in_one_overridable_method():
    parameters = list(inspect.signature(OutputProducer._add_fonts).parameters)
    assert parameters == [
        "self",
        "image_objects_per_index",
        "gfxstate_objs_per_name",
        "pattern_objs_per_name",
    ]
    assert callable(OutputProducer._add_pdf_obj)
    assert "pdf_objs" in inspect.getsource(OutputProducer.__init__)


def test_fonts_is_a_mutable_registry_and_streams_keep_their_bytes():
    pdf = FPDF()
    registry = pdf.fonts
    registry["x"] = None
    assert pdf.fonts is registry and "x" in pdf.fonts
    stream = PDFContentStream(b"abc")
    assert (stream._contents, stream.filter, stream.length) == (b"abc", None, 3)


def test_images_and_raw_content_used_by_the_renderer():
    assert list(inspect.signature(get_img_info).parameters)[:4] == [
        "filename",
        "img",
        "image_filter",
        "dims",
    ]
    pdf = FPDF()
    assert isinstance(pdf.image_cache.images, dict)
    assert callable(pdf._out)


def test_cached_font_objects_give_each_pdf_the_same_fonts():
    issuer = issuer_make()
    first = certificate_pdf(_data("Zoë Nguyễn"), issuer.signature)
    assert {key for key in typefaces._FONT_OBJECTS} >= {("core", ""), ("core", "B")}
    second = certificate_pdf(_data("Zoë Nguyễn"), issuer.signature)
    assert first == second
    fonts = PdfReader(io.BytesIO(second)).pages[0]["/Resources"]["/Font"]
    programs = {
        f.get_object()["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"].get_data()
        for f in fonts.values()
    }
    assert len(programs) == len(fonts)  # each piece embedded once


@pytest.mark.parametrize("name", ["Zoë", "王小明"])
def test_a_clone_leaves_the_parsed_font_untouched(name):
    issuer = issuer_make()
    font = typefaces._piece("core", "B")
    before = (font.i, dict(font.subset._char_id_per_glyph), list(font.missing_glyphs))
    certificate_pdf(_data(name), issuer.signature)
    assert (font.i, dict(font.subset._char_id_per_glyph), list(font.missing_glyphs)) == before
