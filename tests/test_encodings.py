"""Encodings a user's files really come in: short Latin-1 text, BOM-less UTF-16 in other scripts,
charsets declared by HTTP or by the page, mojibake (UTF-8 decoded twice)."""

from __future__ import annotations

import pytest

from winnow.discover import Candidate
from winnow.read import decode, read_candidate
from winnow.records import Document

WESTERN = {
    "fr": "La première édition du festival a eu lieu en 1998. Très vite, le succès est arrivé après la fête.",
    "it": "Perché la città è così bella? Più di novità, c'è la qualità, disse il sindaco già ieri.",
    "pt": "A informação é pública. São Paulo não é a capital do Brasil, mas é a maior cidade do país.",
    "de": "Die Straße war grün und die Bäume blühten. Über München schien die Sonne, schön war es.",
}
CENTRAL = {
    "cs": "Příliš žluťoučký kůň úpěl ďábelské ódy, řekl pan Novák, že to už při své cestě do Brna slyšel.",
    "pl": "Zażółć gęślą jaźń. Łódź jest dużym miastem, powiedział pan Kowalski, że już się tam wybiera.",
    "hu": "A kormány szerint az új törvény első része már a jövő héten hatályba lép, de ők még nem döntöttek.",
}
OTHER_SCRIPTS = {
    "ru": "Москва — столица России, крупнейший по численности населения город страны и её центр.",
    "el": "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και η μεγαλύτερη πόλη της χώρας, είπε ο δήμαρχος.",
    "uk": "Київ — столиця України, найбільше місто країни, розташоване на річці Дніпро в її центрі.",
}


@pytest.mark.parametrize("lang", sorted(WESTERN))
@pytest.mark.parametrize("repeat", [1, 3, 15])
def test_short_western_text_in_latin1_is_read_as_windows_1252(lang, repeat):
    text = (WESTERN[lang] + "\n") * repeat  # 100 bytes to 1.5 KB: too short for a confident guess
    out, encoding, _ = decode(text.encode("latin-1"))
    assert out == text and encoding == "cp1252"


@pytest.mark.parametrize("lang", sorted(CENTRAL))
def test_central_european_text_keeps_its_code_page(lang):
    text = (CENTRAL[lang] + "\n") * 4
    out, encoding, _ = decode(text.encode("cp1250"))
    assert out == text and encoding == "cp1250"


@pytest.mark.parametrize("lang", sorted(OTHER_SCRIPTS))
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_in_other_scripts(lang, codec, tmp_path):
    text = (OTHER_SCRIPTS[lang] + "\n") * 5
    (tmp_path / "page.txt").write_bytes(text.encode(codec))
    page = read_candidate(Candidate(str(tmp_path / "page.txt"), str(tmp_path)))
    assert isinstance(page, Document), page
    assert page.raw == text and page.source.encoding == codec


def test_the_charset_declared_by_http_wins_over_a_guess():
    text = "Москва - столица России."  # short: a guess between Cyrillic code pages is a coin toss
    for codec in ("koi8-r", "cp1251", "cp866", "iso8859-5"):
        out, encoding, _ = decode(text.encode(codec), declared=codec)
        assert out == text and encoding.replace("_", "-") == codec.replace("_", "-")


def test_the_charset_declared_by_the_page_is_honoured():
    for cs, text in (("iso-8859-1", WESTERN["fr"]), ("koi8-r", "Москва - столица России."),
                     ("windows-1253", OTHER_SCRIPTS["el"]), ("iso-8859-2", CENTRAL["cs"])):
        html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}"></head>'
                f"<body><p>{text}</p></body></html>")
        out, _, _ = decode(html.encode(cs))
        assert text in out, cs


def test_a_page_labelled_latin1_that_is_really_utf8_is_read_as_utf8():
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{WESTERN["fr"]}</p></body></html>'
    out, encoding, _ = decode(html.encode("utf-8"))
    assert WESTERN["fr"] in out and encoding == "utf-8"


@pytest.mark.parametrize("wrong", ["latin-1", "cp1252"])
def test_mojibake_is_repaired(wrong, tmp_path):
    text = ("La première fois que j’ai vu la mer, c’était l’été de mes dix ans. « Nous étions arrivés » "
            "à Saint-Malo après un long voyage.\n") * 6
    twice = text.encode("utf-8").decode(wrong, errors="replace").encode("utf-8")  # UTF-8 decoded twice
    (tmp_path / "page.txt").write_bytes(twice)
    page = read_candidate(Candidate(str(tmp_path / "page.txt"), str(tmp_path)))
    assert isinstance(page, Document), page
    assert page.raw == text and page.source.encoding == "utf-8, mojibake repaired"
    # real text with capital Ã and Â is left alone
    clean = "NÃO É VERDADE, disse o ministro em SÃO PAULO. ÂNGULO: 90°, preço € 5 — «sim». " * 3
    assert decode(clean.encode("utf-8"))[0] == clean
