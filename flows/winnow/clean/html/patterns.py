"""Heuristics of the HTML path kept as data (as trafilatura keeps its selectors in xpaths.py).

Tuning the HTML cleaner is an edit here, not in the code that applies these
lists: phrases that introduce related-story callouts, phrases of promotional
lines, and the thresholds of the structural rules.

Phrases are lower-case; they are matched at the start of a block, after
stripping brackets and bullets, case-insensitively and with any run of spaces
standing for one. Apostrophes are normalised to ``'`` before matching.
"""

from __future__ import annotations

import re


def alternation(phrases) -> str:
    """Regex alternation of phrases, longest first, any run of spaces for a space (stable order)."""
    alts = {re.escape(p).replace(r"\ ", r"\s+") for p in phrases}
    return "|".join(sorted(alts, key=lambda a: (-len(a), a)))

# --- related-story callouts -------------------------------------------------------------
# Phrases that head a box of links to other stories ("You may also like", "Lesen Sie
# auch") or prefix a single linked headline inside the body ("Related: <headline>").
# Per language, so a reviewer can see what is covered; all lists are applied to every
# page (a German site may use English labels).
RELATED_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "related", "related stories", "related story", "related articles", "related article",
        "related coverage", "related content", "related news", "related reading",
        "related links", "related posts", "related topics", "related video", "related videos",
        "read more", "read also", "also read", "read next", "read this next", "up next",
        "see also", "see more", "also see", "more", "more on this", "more on this story",
        "more from", "more stories", "more news", "more articles", "more coverage",
        "more in", "more like this", "also on", "also in", "also from", "elsewhere on",
        "you may also like", "you might also like", "you may like", "you might like",
        "you may also be interested in", "you might also be interested in",
        "you may be interested in", "we recommend", "recommended", "recommended for you",
        "recommended stories", "recommended reading", "recommended articles",
        "don't miss", "do not miss", "must read", "must reads", "most read", "most popular",
        "most viewed", "popular", "popular now", "popular on", "popular stories",
        "trending", "trending now", "trending stories", "top stories", "latest news",
        "latest stories", "further reading", "keep reading", "what to read next",
        "editor's picks", "editors' picks", "from around the web", "around the web",
        "in case you missed it", "other stories", "other news", "suggested reading",
        "readers also liked", "people also read", "also of interest",
    ),
    "de": (
        "lesen sie auch", "lesen sie mehr", "lies auch", "mehr zum thema", "mehr dazu",
        "zum thema", "auch interessant", "das könnte sie auch interessieren",
        "das könnte sie interessieren", "das könnte dich auch interessieren",
        "weitere artikel", "weitere nachrichten", "weitere meldungen", "ähnliche artikel",
        "verwandte artikel", "verwandte themen", "empfohlene artikel", "meistgelesen",
        "meist gelesen", "am meisten gelesen", "siehe auch", "auch lesenswert",
        "mehr lesen", "weiterlesen", "top-artikel", "beliebte artikel", "empfehlungen",
    ),
    "fr": (
        "à lire aussi", "a lire aussi", "à lire également", "a lire également", "lire aussi",
        "lire également", "voir aussi", "à voir aussi", "a voir aussi", "sur le même sujet",
        "sur le meme sujet", "articles similaires", "articles liés", "articles connexes",
        "dans la même rubrique", "vous aimerez aussi", "vous aimerez peut-être aussi",
        "vous aimerez peut-être", "vous pourriez aussi aimer", "les plus lus",
        "les plus populaires", "en lien", "pour aller plus loin", "à découvrir aussi",
        "a découvrir aussi", "à découvrir", "nos articles", "plus d'articles", "à la une",
        "recommandé pour vous", "lire plus",
    ),
    "es": (
        "lee también", "lea también", "leer también", "lee además", "lea además",
        "leer más", "lee más", "lea más", "te puede interesar", "también te puede interesar",
        "le puede interesar", "puede interesarte", "quizás te interese", "quizá te interese",
        "noticias relacionadas", "artículos relacionados", "relacionado", "relacionados",
        "relacionadas", "más noticias", "más información", "ver también", "mira también",
        "lo más leído", "lo más visto", "te recomendamos", "recomendamos", "recomendado",
        "también lee", "también te recomendamos", "otras noticias", "últimas noticias",
    ),
    "ru": (
        "читайте также", "читай также", "читайте еще", "читайте ещё", "смотрите также",
        "см. также", "см также", "по теме", "похожие новости", "похожие статьи",
        "похожие материалы", "другие новости", "ещё по теме", "еще по теме", "рекомендуем",
        "рекомендуем прочитать", "рекомендуем почитать", "самое читаемое", "самое популярное",
        "популярное", "материалы по теме", "новости по теме", "статьи по теме",
        "вам может быть интересно", "вам также может понравиться", "это интересно",
        "главное", "последние новости", "выбор редакции",
    ),
    "it": (
        "leggi anche", "leggi pure", "leggi ancora", "vedi anche", "guarda anche",
        "potrebbe interessarti", "ti potrebbe interessare", "potrebbero interessarti",
        "articoli correlati", "notizie correlate", "correlati", "correlate",
        "altre notizie", "i più letti", "più letti", "i più visti", "da non perdere",
        "approfondisci", "ti consigliamo", "consigliati", "leggi di più", "potrebbe piacerti",
        "ti potrebbe piacere", "ultime notizie",
    ),
    "pt": (
        "leia também", "leia mais", "leia ainda", "veja também", "veja mais", "veja ainda",
        "você também pode gostar", "você pode gostar", "você pode se interessar",
        "notícias relacionadas", "artigos relacionados", "matérias relacionadas",
        "relacionados", "relacionadas", "mais lidas", "mais lidos", "mais notícias",
        "saiba mais", "confira também", "confira", "recomendados", "recomendamos",
        "últimas notícias", "leia a seguir",
    ),
    "nl": ("lees ook", "lees meer", "gerelateerde artikelen", "meer nieuws", "bekijk ook",
           "ook interessant", "meest gelezen"),
    "pl": ("czytaj też", "czytaj także", "zobacz też", "zobacz także", "przeczytaj też",
           "przeczytaj także", "polecamy", "najczęściej czytane", "podobne artykuły"),
    "tr": ("ayrıca okuyun", "ilgili haberler", "bunlar da ilginizi çekebilir",
           "benzer haberler", "en çok okunanlar"),
}

# Prefixes that also occur at the start of ordinary prose ("More than 40 people…",
# "Popular support for…", "Recommended dosage…"): as a prefix they only count when a
# separator (":", "|", "»", a dash) or brackets follow, or the rest is a link.
WEAK_PREFIXES: frozenset[str] = frozenset({
    "more", "more in", "more from", "popular", "recommended", "recomendamos", "related",
    "trending", "latest news", "главное", "популярное", "рекомендуем", "confira",
    "correlati", "correlate", "relacionado", "relacionados", "relacionadas", "zum thema",
    "en lien", "à la une", "à découvrir", "also in", "also from", "up next",
    "recomendado", "recomendados", "consigliati", "empfehlungen", "popular on",
    "más información", "saiba mais", "mehr dazu",
})

# A heading block is the phrase plus at most this many extra words ("Popular on IndieWire",
# "More from Reuters") and trailing punctuation.
HEADING_EXTRA_WORDS = 4

# Separators that may follow a callout prefix: "Related: …", "ALSO READ | …", "Lire aussi » …".
CALLOUT_SEPARATORS = ":|»›>–—-•→"

# --- index pages -------------------------------------------------------------------------
# Link texts that lead from a teaser to its article; a small unit with one of them around a
# paragraph makes that paragraph a teaser (see pagetype.py).
READ_MORE_PHRASES: tuple[str, ...] = (
    "read more", "continue reading", "keep reading", "read the full story", "read full story",
    "full story", "read the rest", "read article", "more »", "more...", "read on",
    "weiterlesen", "mehr lesen", "zum artikel", "mehr", "lire la suite", "lire plus",
    "lire l'article", "leer más", "seguir leyendo", "sigue leyendo", "leer artículo",
    "читать далее", "подробнее", "читать полностью", "читать дальше", "leggi tutto",
    "continua a leggere", "leggi di più", "leia mais", "continue lendo", "ler mais",
    "lees meer", "verder lezen", "czytaj dalej", "czytaj więcej", "devamını oku",
    "baca selengkapnya", "selengkapnya", "続きを読む", "더보기", "阅读全文",
)

# --- promotional lines --------------------------------------------------------------------
# Short lines that advertise the site rather than tell the story: newsletters, apps,
# subscriptions, social accounts. Removed only when short (PROMO_MAX_WORDS) and either
# link-dominated, shouting, or among the last blocks of the body with the phrase opening
# a sentence ("Subscribe to …", not "… people subscribe each month").
PROMO_PHRASES: tuple[str, ...] = (
    # en
    "click here", "sign up", "subscribe", "newsletter", "download the app", "get the app",
    "follow us", "follow her on", "follow him on", "like us on facebook", "share this",
    "share it with", "like this story", "get the latest", "in your inbox", "on the go by clicking",
    "send us", "tell us what you think", "have a tip", "order reprints", "print article",
    "all rights reserved", "copyright",
    # de
    "abonnieren", "newsletter abonnieren", "jetzt anmelden", "folgen sie uns", "teilen sie",
    # fr
    "abonnez-vous", "inscrivez-vous", "suivez-nous", "partager cet article", "téléchargez l'application",
    # es
    "suscríbete", "suscribete", "síguenos", "siguenos", "comparte esta", "descarga la app",
    # ru
    "подписывайтесь", "подпишитесь", "подписаться", "поделиться", "наш канал",
    # it
    "iscriviti", "seguici", "condividi", "scarica l'app",
    # pt
    "inscreva-se", "assine", "siga-nos", "compartilhe", "baixe o app",
)
PROMO_MAX_WORDS = 30
PROMO_TAIL_BLOCKS = 4  # the last N blocks of the body count as "the end"

# --- structural thresholds ----------------------------------------------------------------
LINK_DOMINATED = 0.6  # share of a block's characters inside links to call it "a link"
LINK_ALMOST_ALL = 0.85  # a standalone paragraph that is (almost) all link
LINKED_TEASER = 0.9  # a paragraph longer than a headline that is all link: a teaser card
HEADLINE_MIN_WORDS = 3
HEADLINE_MAX_WORDS = 25
CALLOUT_MAX_WORDS = 35  # the rest of a "Related: …" line
ENTRY_LINK_SHARE = 0.3  # "<a>Headline</a> one-line teaser": the link part of a list entry …
ENTRY_MAX_WORDS = 60  # … and its length
LIST_MIN_ITEMS = 2  # a list of linked headlines needs this many items …
LIST_LINKED_SHARE = 0.7  # … and this share of them must be linked headlines
TITLE_SCAN_BLOCKS = 3  # where to look for the title repeated as body text
TITLE_SIMILARITY = 0.85  # word-sequence similarity of a line to the title to call it a repeat

# --- settings cascade ---------------------------------------------------------------------
# trafilatura's precision mode is tried first; when it keeps less than this share of
# what balanced mode keeps, it has lost the article and balanced mode is used instead.
PRECISION_MIN_SHARE = 0.5
