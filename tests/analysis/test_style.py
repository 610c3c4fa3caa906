"""The charts' look: applied only inside `theme()`, in a font that has every Polish letter the reports print."""

from __future__ import annotations

import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from analysis import style

# Every letter and sign the reports' charts may carry: Polish letters (names, axis labels), the
# typographic minus of negative ticks, the per-mille sign (‰ axes), "≈" of an uncertain value, the en dash of
# ranges ("2014–2024"), the Polish quotation marks and the superscript of a footnote.
PRINTED = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ−‰≈–„”¹"


def test_theme_sets_the_look_only_inside_its_block_and_picks_no_backend():
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    with style.theme():
        assert matplotlib.rcParams["font.family"][0] == style.FONT
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        # The charts' own colours, in the order several towns take them.
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == list(style.TOWNS)
    assert dict(matplotlib.rcParams) == before  # an analyst's own plots keep their look
    assert matplotlib.get_backend() == backend  # and `plt.show()` its backend


def test_the_theme_is_undone_when_a_chart_fails_inside_it():
    before = dict(matplotlib.rcParams)
    try:
        with style.theme():
            raise ValueError("a chart that fails half-way")
    except ValueError:
        pass
    assert dict(matplotlib.rcParams) == before


def test_the_chart_font_is_found_and_draws_every_letter_the_reports_print():
    # findfont falls back to another font (with a warning) when the named one is missing: ask for no fallback.
    path = font_manager.findfont(font_manager.FontProperties(family=style.FONT), fallback_to_default=False)
    assert font_manager.get_font(path).family_name == style.FONT
    glyphs = FT2Font(path).get_charmap()  # code point -> glyph index, for the characters the font draws
    assert [letter for letter in PRINTED if ord(letter) not in glyphs] == []


def test_every_colour_that_carries_meaning_differs_from_the_others():
    # A colour shared by two meanings (the town and a strength, say) would make a legend lie; several towns
    # take `TOWNS` in turn, so those eight differ among themselves too.
    meanings = [style.TOWN, style.PEER_MEDIAN, style.PEER_BAND, style.NEUTRAL, style.GOOD, style.BAD]
    assert len({colour.lower() for colour in meanings}) == len(meanings)
    assert len({colour.lower() for colour in style.TOWNS}) == len(style.TOWNS)
