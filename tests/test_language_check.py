"""The browser tests' language check finds text of the other language, from our own catalogue."""

from tests.browser import _foreign_text, _phrases


def test_english_on_a_romanian_page_and_romanian_on_an_english_page_are_found():
    assert "Open a new claim" in _foreign_text("Bun venit. Open a new claim   acum.", "ro")
    assert "Deschideți o cerere nouă" in _foreign_text("Welcome. Deschideți o cerere nouă now.", "en")


def test_a_page_in_its_own_language_passes():
    assert _foreign_text("Bun venit. Deschideți o cerere nouă acum.", "ro") == []
    assert _foreign_text("Welcome. Open a new claim now.", "en") == []
    assert len(_phrases()["ro"]) > 300 and len(_phrases()["en"]) > 300
