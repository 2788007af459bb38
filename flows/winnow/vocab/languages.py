"""What each language calls the parts of a news page: one data module for both cleaners.

The HTML rules (``winnow.clean.html.patterns``) and the text-dump rules
(``winnow.clean.text.patterns``, ``winnow.clean.text.metadata``) read their phrase lists,
month names and byline words from here, so they cannot drift apart, and adding a language
is an edit to this file: add a ``Language`` entry, fill in what you know, leave the rest
empty. Every list is applied to every page (a German site may use English labels).

Conventions: lower case; apostrophes written ``'``; a phrase is matched at the start of a
block or line, any run of spaces standing for one. Stop words are not listed here: both
cleaners use jusText's per-language lists (``winnow.clean.text.lang``), picked by coverage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    # Phrases that head a box of links to other stories ("You may also like") or prefix one
    # linked headline inside the body ("Related: <headline>").
    related: tuple[str, ...] = ()
    # Those of ``related`` that also open ordinary prose ("More than 40 people...",
    # "Popular support for..."): they count only followed by a separator or alone on a line.
    weak_related: tuple[str, ...] = ()
    # Link texts that lead from a teaser to its article ("Read more", "Lire la suite").
    read_more: tuple[str, ...] = ()
    # Short lines that advertise the site: newsletters, apps, subscriptions, social accounts.
    promo: tuple[str, ...] = ()
    # Month names and abbreviations, January first: 12 tuples (any grammatical case in use).
    months: tuple[tuple[str, ...], ...] = ()
    # Words that introduce an author ("By Jane Doe", "Par ...", "Автор: ...").
    byline: tuple[str, ...] = ()
    # Words that introduce a publication or update date ("Updated 3 May 2024").
    updated: tuple[str, ...] = ()
    # Day names and abbreviations, Monday first ("Tuesday | Sept 3, 2002" is a date, not an author).
    weekdays: tuple[str, ...] = ()
    # Headings that open the reader comments under an article ("Comments", "Leave a reply",
    # "12 responses to ..."; a count in front is allowed: "14 comments"). The first is the plain
    # plural heading ("Comments"), which alone on a line is a heading even without a count.
    comments: tuple[str, ...] = ()
    # Verbs that end a commenter's header line ("Jane says:", "Jean a écrit :").
    comment_verbs: tuple[str, ...] = ()
    # Labels of a post's footer, followed by a colon: its tags and categories ("Tags: a, b",
    # "Filed under: Economy", "Labels: Google Maps").
    post_labels: tuple[str, ...] = ()
    # Links from a post to its neighbours, opening a line ("Older Post Home", "Newer posts",
    # "Post navigation", Blogger's "Email This BlogThis! Share to Twitter").
    post_links: tuple[str, ...] = ()
    # Headings of a blog's sidebar boxes, alone on a line over a list of links ("Recent Posts",
    # "Archives", "Blogroll", "Categories"): the heading and the list under it are no article.
    sidebar: tuple[str, ...] = ()


LANGUAGES: dict[str, Language] = {
    "en": Language(
        related=(
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
            # seen in text dumps
            "top news", "commented stories", "most commented", "most shared", "popular posts",
            "editors picks", "read previous", "previous article", "next article",
            "previous post", "next post",
        ),
        weak_related=("more", "more in", "more from", "popular", "recommended", "related", "trending",
                      "latest news", "also in", "also from", "up next", "popular on"),
        read_more=(
            "read more", "continue reading", "keep reading", "read the full story", "read full story",
            "full story", "read the rest", "read article", "more »", "more...", "read on",
        ),
        promo=(
            "click here", "sign up", "subscribe", "newsletter", "download the app", "get the app",
            "follow us", "follow her on", "follow him on", "like us on facebook", "share this",
            "share it with", "like this story", "get the latest", "in your inbox", "on the go by clicking",
            "send us", "tell us what you think", "have a tip", "order reprints", "print article",
            "all rights reserved", "copyright",
        ),
        months=(
            ("january", "jan"), ("february", "feb", "febr"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        byline=("by", "written by", "posted by", "words by", "story by"),
        updated=("updated", "last updated", "published", "posted", "modified", "last modified"),
        comments=(
            "comments", "comment", "responses", "response", "replies", "reader comments",
            "readers' comments", "leave a reply", "leave a comment", "post a comment", "add a comment",
            "add comment", "discussion", "join the discussion", "join the conversation", "what do you think",
            "have your say", "trackbacks", "comments are closed", "show comments", "view comments",
            "reader feedback", "your comments",
        ),
        comment_verbs=("says", "said", "wrote", "writes", "replied", "commented"),
        post_labels=("tags", "tagged", "tagged as", "tagged with", "labels", "filed under", "filed in", "posted in",
                     "categories", "category", "topics"),
        post_links=("older post", "older posts", "newer post", "newer posts", "older entries", "newer entries",
                    "older articles", "newer articles", "post navigation", "email this blogthis",
                    "this entry was posted", "this entry was filed"),
        sidebar=("recent posts", "recent entries", "recent articles", "recent comments", "latest posts",
                 "latest comments", "archives", "archive", "blog archive", "blog archives", "monthly archives",
                 "categories", "blog categories", "topics", "blogroll", "blog roll", "blogs i read", "blogs i follow",
                 "my blog list", "blog list", "tag cloud", "tags", "labels", "popular posts", "top posts",
                 "previous posts", "about me", "about the author", "about this blog", "followers", "meta",
                 "recent tweets", "twitter updates", "search this blog",
                 "syndication", "links", "my links", "friends", "sponsors"),
        weekdays=("monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thur", "thurs",
                  "friday", "fri", "saturday", "sat", "sunday", "sun"),
    ),
    "de": Language(
        related=(
            "lesen sie auch", "lesen sie mehr", "lies auch", "mehr zum thema", "mehr dazu",
            "zum thema", "auch interessant", "das könnte sie auch interessieren",
            "das könnte sie interessieren", "das könnte dich auch interessieren",
            "weitere artikel", "weitere nachrichten", "weitere meldungen", "ähnliche artikel",
            "verwandte artikel", "verwandte themen", "empfohlene artikel", "meistgelesen",
            "meist gelesen", "am meisten gelesen", "siehe auch", "auch lesenswert",
            "mehr lesen", "weiterlesen", "top-artikel", "beliebte artikel", "empfehlungen",
        ),
        weak_related=("zum thema", "empfehlungen", "mehr dazu"),
        read_more=("weiterlesen", "mehr lesen", "zum artikel", "mehr"),
        promo=("abonnieren", "newsletter abonnieren", "jetzt anmelden", "folgen sie uns", "teilen sie"),
        months=(
            ("januar", "jan", "jänner"), ("februar", "feb"), ("märz", "marz", "maerz", "mär"),
            ("april", "apr"), ("mai",), ("juni", "jun"), ("juli", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("oktober", "okt"), ("november", "nov"), ("dezember", "dez"),
        ),
        byline=("von", "autor", "autorin"),
        updated=("aktualisiert", "veröffentlicht", "zuletzt aktualisiert"),
        comments=(
            "kommentare", "kommentar", "kommentieren", "leserkommentare", "diskussion", "ihre meinung",
            "schreiben sie einen kommentar",
        ),
        comment_verbs=("schreibt", "schrieb", "sagt", "meint"),
        post_labels=("schlagwörter", "schlagworte", "stichwörter", "kategorie", "kategorien", "themen"),
        post_links=("ältere beiträge", "neuere beiträge", "älterer beitrag", "neuerer beitrag"),
        sidebar=("neueste beiträge", "letzte beiträge", "neueste kommentare", "letzte kommentare", "archiv", "archive",
                 "blog-archiv", "kategorien", "schlagwörter", "links", "blogroll"),
        weekdays=("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag"),
    ),
    "fr": Language(
        related=(
            "à lire aussi", "a lire aussi", "à lire également", "a lire également", "lire aussi",
            "lire également", "voir aussi", "à voir aussi", "a voir aussi", "sur le même sujet",
            "sur le meme sujet", "articles similaires", "articles liés", "articles connexes",
            "dans la même rubrique", "vous aimerez aussi", "vous aimerez peut-être aussi",
            "vous aimerez peut-être", "vous pourriez aussi aimer", "les plus lus",
            "les plus populaires", "en lien", "pour aller plus loin", "à découvrir aussi",
            "a découvrir aussi", "à découvrir", "nos articles", "plus d'articles", "à la une",
            "recommandé pour vous", "lire plus",
        ),
        weak_related=("en lien", "à la une", "à découvrir"),
        read_more=("lire la suite", "lire plus", "lire l'article"),
        promo=("abonnez-vous", "inscrivez-vous", "suivez-nous", "partager cet article",
               "téléchargez l'application"),
        months=(
            ("janvier", "janv", "jan"), ("février", "fevrier", "févr", "fév", "fev"), ("mars",),
            ("avril", "avr"), ("mai",), ("juin",), ("juillet", "juil"), ("août", "aout"),
            ("septembre", "sept"), ("octobre", "oct"), ("novembre", "nov"),
            ("décembre", "decembre", "déc", "dec"),
        ),
        byline=("par",),
        updated=("publié", "publié le", "mis à jour", "mis à jour le"),
        comments=(
            "commentaires", "commentaire", "réactions", "réagissez", "laisser un commentaire",
            "vos commentaires", "votre avis",
        ),
        comment_verbs=("a écrit", "dit", "écrit"),
        post_labels=("mots-clés", "mots clés", "étiquettes", "catégories", "catégorie", "classé dans", "publié dans"),
        post_links=("articles plus anciens", "articles plus récents", "article plus ancien", "article plus récent"),
        sidebar=("articles récents", "derniers articles", "commentaires récents", "derniers commentaires", "archives",
                 "catégories", "mots-clés", "nuage de tags", "liens", "blogoliste"),
        weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    ),
    "es": Language(
        related=(
            "lee también", "lea también", "leer también", "lee además", "lea además",
            "leer más", "lee más", "lea más", "te puede interesar", "también te puede interesar",
            "le puede interesar", "puede interesarte", "quizás te interese", "quizá te interese",
            "noticias relacionadas", "artículos relacionados", "relacionado", "relacionados",
            "relacionadas", "más noticias", "más información", "ver también", "mira también",
            "lo más leído", "lo más visto", "te recomendamos", "recomendamos", "recomendado",
            "también lee", "también te recomendamos", "otras noticias", "últimas noticias",
        ),
        weak_related=("recomendamos", "relacionado", "relacionados", "relacionadas", "recomendado",
                      "más información"),
        read_more=("leer más", "seguir leyendo", "sigue leyendo", "leer artículo"),
        promo=("suscríbete", "suscribete", "síguenos", "siguenos", "comparte esta", "descarga la app"),
        months=(
            ("enero", "ene"), ("febrero", "feb"), ("marzo", "mar"), ("abril", "abr"), ("mayo", "may"),
            ("junio", "jun"), ("julio", "jul"), ("agosto", "ago"), ("septiembre", "setiembre", "sep", "sept"),
            ("octubre", "oct"), ("noviembre", "nov"), ("diciembre", "dic"),
        ),
        byline=("por", "autor", "autora"),
        updated=("actualizado", "publicado"),
        comments=(
            "comentarios", "comentario", "deja un comentario", "deja una respuesta", "opiniones",
            "respuestas",
        ),
        comment_verbs=("dice", "dijo", "escribió", "escribe"),
        post_labels=("etiquetas", "categorías", "categoría", "archivado en", "publicado en"),
        post_links=("entradas anteriores", "entradas más recientes", "entrada anterior", "entrada más reciente"),
        sidebar=("entradas recientes", "últimas entradas", "comentarios recientes", "últimos comentarios", "archivos",
                 "archivo del blog", "categorías", "etiquetas", "enlaces", "blogs que sigo"),
        weekdays=("lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo"),
    ),
    "ru": Language(
        related=(
            "читайте также", "читай также", "читайте еще", "читайте ещё", "смотрите также",
            "см. также", "см также", "по теме", "похожие новости", "похожие статьи",
            "похожие материалы", "другие новости", "ещё по теме", "еще по теме", "рекомендуем",
            "рекомендуем прочитать", "рекомендуем почитать", "самое читаемое", "самое популярное",
            "популярное", "материалы по теме", "новости по теме", "статьи по теме",
            "вам может быть интересно", "вам также может понравиться", "это интересно",
            "главное", "последние новости", "выбор редакции",
        ),
        weak_related=("главное", "популярное", "рекомендуем"),
        read_more=("читать далее", "подробнее", "читать полностью", "читать дальше"),
        promo=("подписывайтесь", "подпишитесь", "подписаться", "поделиться", "наш канал"),
        months=(
            ("января", "январь", "янв"), ("февраля", "февраль", "фев"), ("марта", "март", "мар"),
            ("апреля", "апрель", "апр"), ("мая", "май"), ("июня", "июнь", "июн"), ("июля", "июль", "июл"),
            ("августа", "август", "авг"), ("сентября", "сентябрь", "сен", "сент"),
            ("октября", "октябрь", "окт"), ("ноября", "ноябрь", "ноя"), ("декабря", "декабрь", "дек"),
        ),
        byline=("автор", "текст", "от"),
        updated=("обновлено", "опубликовано"),
        comments=(
            "комментарии", "комментариев", "комментария", "оставить комментарий", "обсуждение",
            "ваш комментарий", "отзывы",
        ),
        comment_verbs=("пишет", "написал", "написала", "сказал"),
        weekdays=("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    ),
    "it": Language(
        related=(
            "leggi anche", "leggi pure", "leggi ancora", "vedi anche", "guarda anche",
            "potrebbe interessarti", "ti potrebbe interessare", "potrebbero interessarti",
            "articoli correlati", "notizie correlate", "correlati", "correlate",
            "altre notizie", "i più letti", "più letti", "i più visti", "da non perdere",
            "approfondisci", "ti consigliamo", "consigliati", "leggi di più", "potrebbe piacerti",
            "ti potrebbe piacere", "ultime notizie",
        ),
        weak_related=("correlati", "correlate", "consigliati"),
        read_more=("leggi tutto", "continua a leggere", "leggi di più"),
        promo=("iscriviti", "seguici", "condividi", "scarica l'app"),
        months=(
            ("gennaio", "gen"), ("febbraio", "feb"), ("marzo", "mar"), ("aprile", "apr"),
            ("maggio", "mag"), ("giugno", "giu"), ("luglio", "lug"), ("agosto", "ago"),
            ("settembre", "set", "sett"), ("ottobre", "ott"), ("novembre", "nov"), ("dicembre", "dic"),
        ),
        byline=("di",),
        updated=("aggiornato", "pubblicato"),
        comments=("commenti", "commento", "lascia un commento", "lascia una risposta", "risposte"),
        comment_verbs=("dice", "scrive", "ha scritto"),
        weekdays=("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    ),
    "pt": Language(
        related=(
            "leia também", "leia mais", "leia ainda", "veja também", "veja mais", "veja ainda",
            "você também pode gostar", "você pode gostar", "você pode se interessar",
            "notícias relacionadas", "artigos relacionados", "matérias relacionadas",
            "relacionados", "relacionadas", "mais lidas", "mais lidos", "mais notícias",
            "saiba mais", "confira também", "confira", "recomendados", "recomendamos",
            "últimas notícias", "leia a seguir",
        ),
        weak_related=("confira", "recomendados", "saiba mais"),
        read_more=("leia mais", "continue lendo", "ler mais"),
        promo=("inscreva-se", "assine", "siga-nos", "compartilhe", "baixe o app"),
        months=(
            ("janeiro", "jan"), ("fevereiro", "fev"), ("março", "marco", "mar"), ("abril", "abr"),
            ("maio", "mai"), ("junho", "jun"), ("julho", "jul"), ("agosto", "ago"),
            ("setembro", "set"), ("outubro", "out"), ("novembro", "nov"), ("dezembro", "dez"),
        ),
        byline=("por", "autor", "autora"),
        updated=("atualizado", "publicado"),
        comments=("comentários", "comentarios", "deixe um comentário", "deixe uma resposta", "respostas"),
        comment_verbs=("disse", "diz", "escreveu"),
        weekdays=("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"),
    ),
    "nl": Language(
        related=("lees ook", "lees meer", "gerelateerde artikelen", "meer nieuws", "bekijk ook",
                 "ook interessant", "meest gelezen"),
        read_more=("lees meer", "verder lezen"),
        months=(
            ("januari", "jan"), ("februari", "feb"), ("maart", "mrt"), ("april", "apr"), ("mei",),
            ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"), ("september", "sep", "sept"),
            ("oktober", "okt"), ("november", "nov"), ("december", "dec"),
        ),
        byline=("door",),
        updated=("bijgewerkt", "gepubliceerd"),
        comments=("reacties", "reactie", "laat een reactie achter", "plaats een reactie"),
        comment_verbs=("zegt", "schreef"),
        weekdays=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    ),
    "pl": Language(
        related=("czytaj też", "czytaj także", "zobacz też", "zobacz także", "przeczytaj też",
                 "przeczytaj także", "polecamy", "najczęściej czytane", "podobne artykuły"),
        read_more=("czytaj dalej", "czytaj więcej"),
        months=(
            ("stycznia", "styczeń", "sty"), ("lutego", "luty", "lut"), ("marca", "marzec"),
            ("kwietnia", "kwiecień", "kwi"), ("maja", "maj"), ("czerwca", "czerwiec", "cze"),
            ("lipca", "lipiec", "lip"), ("sierpnia", "sierpień", "sie"), ("września", "wrzesień", "wrz"),
            ("października", "październik", "paź"), ("listopada", "listopad", "lis"),
            ("grudnia", "grudzień", "gru"),
        ),
        byline=("autor", "autorka"),
        comments=("komentarze", "komentarz", "dodaj komentarz", "odpowiedzi"),
        comment_verbs=("napisał", "napisała", "pisze"),
        weekdays=("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
    ),
    "tr": Language(
        related=("ayrıca okuyun", "ilgili haberler", "bunlar da ilginizi çekebilir",
                 "benzer haberler", "en çok okunanlar"),
        read_more=("devamını oku",),
        months=(
            ("ocak",), ("şubat",), ("mart",), ("nisan",), ("mayıs",), ("haziran",), ("temmuz",),
            ("ağustos",), ("eylül",), ("ekim",), ("kasım",), ("aralık",),
        ),
    ),
    "sv": Language(byline=("av",)),
    "da": Language(byline=("af",)),
    "id": Language(read_more=("baca selengkapnya", "selengkapnya")),
    "ja": Language(related=("関連記事", "関連ニュース", "おすすめ記事", "人気記事"), read_more=("続きを読む",)),
    "zh": Language(related=("相关文章", "相关新闻", "热门文章"), read_more=("阅读全文",)),
    "ko": Language(related=("관련 기사", "관련기사", "많이 본 뉴스", "인기 기사"), read_more=("더보기",)),
}


def _union(field: str) -> tuple[str, ...]:
    """One list of every language's entries (first occurrence kept, language order)."""
    return tuple(dict.fromkeys(p for lang in LANGUAGES.values() for p in getattr(lang, field)))


def related_phrases() -> dict[str, tuple[str, ...]]:
    """Related-story phrases per language."""
    return {code: lang.related for code, lang in LANGUAGES.items() if lang.related}


def weak_related() -> frozenset[str]:
    return frozenset(_union("weak_related"))


def read_more_phrases() -> tuple[str, ...]:
    return _union("read_more")


def promo_phrases() -> tuple[str, ...]:
    return _union("promo")


def byline_words() -> tuple[str, ...]:
    return _union("byline")


def updated_words() -> tuple[str, ...]:
    return _union("updated")


def comment_headings() -> tuple[str, ...]:
    return _union("comments")


def weekday_names() -> frozenset[str]:
    return frozenset(_union("weekdays"))


def plain_comment_headings() -> tuple[str, ...]:
    """Each language's plain "Comments" heading (the first of its ``comments``)."""
    return tuple(lang.comments[0] for lang in LANGUAGES.values() if lang.comments)


def comment_verbs() -> tuple[str, ...]:
    return _union("comment_verbs")


def post_labels() -> tuple[str, ...]:
    return _union("post_labels")


def post_links() -> tuple[str, ...]:
    return _union("post_links")


def sidebar_headings() -> tuple[str, ...]:
    return _union("sidebar")


def month_numbers() -> dict[str, int]:
    """Every month name or abbreviation of every language -> its number (1-12).

    A name used by two languages for two different months would make dates ambiguous;
    ``tests/test_vocab.py`` checks there is none.
    """
    out: dict[str, int] = {}
    for lang in LANGUAGES.values():
        for number, names in enumerate(lang.months, 1):
            for name in names:
                out.setdefault(name, number)
    return out


def regex_alternation(phrases) -> str:
    """Regex alternation of phrases, longest first: any run of spaces for a space, either
    apostrophe for ``'`` (text dumps keep typographic quotes)."""
    alts = {re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in phrases}
    return "|".join(sorted(alts, key=lambda a: (-len(a), a)))
