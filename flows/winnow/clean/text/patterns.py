"""Rules as data: the patterns the text cleaner recognises, apart from the engine.

Each entry of ``CATEGORIES`` is a reason name (what ``Removed.reason`` says) and
a regular expression, written in lower case and searched in the lower-cased
start of a line. A match is *evidence*, fed to the model as a feature; only the categories
in ``HARD`` remove a line on their own (the issue requires those to go), and
only when the line is short (``params.HARD_MAX_WORDS``). Patterns cover several
languages; related-story phrases, month names, byline and "updated" words come from
``winnow.vocab.languages`` (shared with the HTML rules): add a language there.
"""

from __future__ import annotations

from winnow.vocab import languages

_RELATED = languages.regex_alternation(
    {p for ps in languages.related_phrases().values() for p in ps} - languages.weak_related()
)
_WEAK_RELATED = languages.regex_alternation(languages.weak_related())

# A renderer's list marker in front of an item: "* ", "+ ", "o ", "• ", "» " ...
LIST_MARKER = r"^(?:[*+•·»›►▪▸‣◦○●■□➤→✓✔\-–—>]|#{1,6}|o(?=\s))\s+"  # bullets, Markdown headings and quotes

# Sentence-final punctuation, optionally followed by closing quotes/brackets.
SENTENCE_END = r"[.!?。！？؟।][\"'”’»)\]」』]*$"
ELLIPSIS_END = r"(?:…|\.\.\.+|\.\s*\.\s*\.)[\"'”’»)\]]*$"

# Category name -> pattern (case-insensitive, ``re.search`` on the stripped line).
CATEGORIES: dict[str, str] = {
    "ticker": (
        r"^(?:just in|breaking(?: news)?|latest(?: news)?|live|en direct|flash|derni[eè]re heure|"
        r"eilmeldung|aktuell|última hora|ultim['’]ora|срочно|молния|breaking)\s*[:|–—-]"
    ),
    # phrases from winnow.vocab.languages (shared with the HTML rules); the weak ones
    # ("More", "Popular", "Related") also open prose: they count before a separator, alone,
    # or with one more word ("More from CNN", "Related tags"; not "More people died.")
    "related_headlines": (
        r"^(?:" + _RELATED + r")\b\s*[:|»>\-–—]?|"
        r"^(?:" + _WEAK_RELATED + r")(?:\s*[:|»>\-–—]|(?:\s+[^\s.!?]+)?\s*$)|"
        r"^(?:\w+ )?news stream\b"
    ),
    "share_widget": (
        r"^(?:share(?: this)?(?: on| article| story)?|share this on|tweet|pin it|email|e-mail|print(?: the page)?|"
        r"add to favou?rites?|save|bookmark|facebook|twitter|linkedin|whatsapp|pinterest|reddit|telegram|"
        r"partager(?: cet article)?|imprimer|teilen|drucken|compartir|imprimir|condividi|stampa|"
        r"поделиться|вконтакте|одноклассники|facebook twitter|copy link|follow us)\b[\s:|,]*"
        r"(?:(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|telegram|e-?mail|print|x|copy link|"
        r"вконтакте|одноклассники)[\s|,]*)*$"
    ),
    "comment_form": (
        r"leave a (?:reply|comment)|post (?:a )?comment|add (?:a )?comment|your email address will not|"
        r"required fields are marked|characters left|please comment|^comments?\s*(?:\(\d+\))?$|"
        r"^\d+ comments?$|^your (?:name|email|comment)\s*:?\*?$|^subject\s*:|join the (?:conversation|discussion)|"
        r"réagissez|votre commentaire|^commentaires?|kommentar(?:e|ieren)?\b|comentarios?\b|commenti\b|"
        r"комментари|оставить комментарий|ваш комментарий"
    ),
    "comment_header": (
        r"\b(?:says|said|wrote|replied|a écrit|schrieb|escribió|scrive|написал[аи]?)\s*:\s*$|"
        r"^\d+\s+(?:responses?|comments?|replies|réactions?|kommentare|comentarios|комментари[йя]?)\b|"
        r"^(?:reply|report(?: abuse)?|like|répondre|antworten|responder|ответить)$|"
        r"\bon \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}"
    ),
    # the buttons and counters of a comment thread: "[Reply]", "Flag as inappropriate", "Recommend? (3)"
    "comment_widget": (
        r"^\[?(?:reply|reply to this(?: parent)?(?: share)?|flag as inappropriate|report (?:abuse|comment)|"
        r"link to this comment|permalink|recommend\?|like|dislike|quote|répondre|signaler|antworten|melden|"
        r"responder|denunciar|rispondi|segnala|ответить|пожаловаться)\]?\s*(?:\(\s*\d+\s*\))?:?$|"
        r"^(?:responses|replies|comments|réactions|kommentare|comentarios|commenti|комментарии)\s*\(\d+\)$|"
        r"^re:.*\(\s*score:\s*\d+|^\d+ (?:fans|followers|likes|points)$|^trackback url\b|"
        r"^(?:this is only a preview|your comment (?:has|could|will)|comments are moderated|"
        r"continue reading the main story)"
    ),
    "credits": (
        r"^\(?(?:with inputs? from|inputs? from|additional reporting by|reporting by|editing by|edited by|"
        r"compiled by|avec (?:l['’])?afp|mit material von|con información de|при участии)\b|"
        r"^(?:source|sources|quelle|fuente|fonte|источник)\s*:"
    ),
    "copyright": (
        r"©|\(c\)\s*\d{4}|copyright|all rights reserved|tous droits réservés|alle rechte vorbehalten|"
        r"todos los derechos|tutti i diritti|все права защищены"  # and POWERED_BY (below)
    ),
    "newsletter": (
        r"newsletter|subscribe|sign up for|sign up to|get our|inscrivez-vous|s['’]abonner|abonnez-vous|"
        r"abonnieren|suscr[ií]b|iscriviti|подпис(?:ка|аться|ывайтесь)"
    ),
    "cookie": (
        r"(?:this|our) (?:web)?site uses cookies|we use cookies|use of cookies|cookies? (?:policy|settings|preferences|consent)|"
        r"accept (?:all )?cookies|(?:necessary|functional|analytics|performance|advertisement|third-party) cookies|"
        r"privacy overview|cookies (?:that|which) (?:may|are|help)|opt-out of (?:these )?cookies|"
        r"privacy policy|politique de confidentialité|gérer les cookies|datenschutz|política de privacidad|"
        r"utilise des cookies|verwendet cookies|utiliza cookies|использует (?:файлы )?cookie"
    ),
    "nav": (
        r"^(?:home|accueil|startseite|inicio|главная|menu|search(?: news)?|log ?in|sign in|log ?out|register|"
        r"se connecter|connexion|anmelden|iniciar sesión|войти|skip to (?:main )?content|back to top|"
        r"about us|contact(?: us)?|advertise(?: with us)?|terms(?: and conditions| of use)?|disclaimer|"
        r"sitemap|useful links|impressum|mentions légales|о проекте|реклама|контакты|tags?|topics|filed under|"
        r"categories|mots-clés|schlagworte|etiquetas|теги|タグ|标签|태그)\b"
    ),
    "advert": (
        r"^(?:advertisement|sponsored|promoted|anzeige|publicité|publicidad|pubblicità|реклама|"
        r"スポンサードリンク|スポンサーリンク|広告|广告|광고)\b"
    ),
    "caption": (
        r"\b(?:image|photo|picture|pic|video|file|credit|foto|bild|фото)s?\s*(?:courtesy|credit|:)|"
        r"\((?:image|photo|picture)[^)]*\)|getty images|\bap photo\b|/\s*reuters$|shutterstock|"
        r"/\s*(?:getty|reuters|afp|ap|epa|istock|dpa)\b|"
        r"\S+\.(?:jpe?g|png|gif|webp)\b"
    ),
    "poll": r"^(?:daily poll|poll|vote|sondage|umfrage|encuesta|опрос)\b",
    "exchange_rates": r"exchange rates?|^currency\b|taux de change|wechselkurs|курс(?:ы)? валют",
}

# A credit to the software behind the site is a "copyright" line too, matched on the line as written
# (case tells a product's name): "powered by" (or "propulsé par") and a name of one to five capitalised
# words ending the phrase ("Powered by WordPress.com VIP", "blog comments powered by Disqus", "Google Blog
# is powered by Blogger. Start your own weblog.", "Powered by WordPress and the Graphene Theme"), or a line
# ending in "powered by" (a logo follows: "SME Times is powered by"). Not a sentence saying it ("The grid is
# powered by wind farms.", "Powered by wind, the town ...", "It is powered by Siemens turbines.").
_NAME_WORD = r"[A-Z0-9][\w.\-+&!']*"
POWERED_BY = (
    r"(?i:\b(?:powered by|propulsé par))\s*:?(?:\s+" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,4}"
    r"(?=\s*(?:$|[^\w\s'’-]|and\b|-\s))|\s*$)"
)

# A post's footer: its tags or categories ("Tags: a, b", "Filed under: Economy"; the label and a colon) or
# its links to the neighbouring posts ("Older Post Home"). Removed on its own (reason "post_footer") when
# short (``params.POST_FOOTER_MAX_WORDS``); not a feature of the model. Phrases from
# ``winnow.vocab.languages``.
POST_FOOTER = (
    r"^(?:" + languages.regex_alternation(languages.post_labels()) + r")\s*:|"
    r"^(?:" + languages.regex_alternation(languages.post_links()) + r")\b"
)

# A picture's caption ends with its credit in brackets: "... in Pyongyang (Image courtesy: Twitter/@x)".
# Removed on its own (reason "caption"), unlike the looser "caption" category above, which is evidence.
CAPTION_CREDIT = (
    r"\((?:image|photo|picture|pic|file photo|foto|bild|фото)s?(?: courtesy| credit)?\s*[:/][^()]{1,80}\)\s*$"
)

# Categories that only count on short lines ("Home Depot shares rose ..." is not a menu).
CATEGORY_MAX_WORDS = {
    "nav": 6, "share_widget": 10, "advert": 6, "poll": 12, "newsletter": 30, "comment_header": 16,
    "exchange_rates": 12, "ticker": 200, "related_headlines": 40, "comment_widget": 16,
}

# Separators that join items on one line: a ticker ("• a • b") or a menu ("a | b | c").
TICKER_SEPARATORS = ("•", "·", "◦", "●", "■", "▪")
MENU_SEPARATORS = ("|", "»", "›", "/")
MIN_SEPARATORS = 2  # a line with this many (spaced) separators is a ticker or a menu

# Categories strong enough to remove a short line on their own.
HARD = ("related_headlines", "comment_form", "copyright", "share_widget", "ticker", "credits", "cookie", "nav",
        "comment_widget", "advert")

# Lines that say "the article is over here": what follows them is rarely body.
END_MARKERS = ("related_headlines", "comment_form", "comment_header", "comment_widget", "share_widget", "copyright",
               "newsletter")

# A count in brackets at the end of a headline: "... a minimum (130)" (comments, views).
COUNT_SUFFIX = r"\(\d+\)$"

# Bylines and dates (metadata, not body).
BYLINE_PREFIX = r"^(?:" + languages.regex_alternation(languages.byline_words()) + r")\s*:?\s+"
MONTHS = languages.regex_alternation(languages.month_numbers())  # every language's, one list
DATE = (
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|"
    r"\b\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:" + MONTHS + r")\.?,?\s+\d{2,4}\b|"
    r"\b(?:" + MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?[,.]?\s+\d{4}\b"
)
TIME = r"\b\d{1,2}[:h]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)?\b"
UPDATED = r"^(?:" + languages.regex_alternation(languages.updated_words()) + r")\b"

# Relative phrases that mark a teaser or a dated item in a list ("2 hours ago").
AGO = r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b|\bil y a \d+|\bvor \d+ (?:minuten|stunden|tagen)|\d+ (?:минут|час|дн)[а-я]* назад"

# An image file name glued in front of a headline ("Putin.9.Thmb.jpg Putin set to ...").
IMAGE_PREFIX = r"^\S+\.(?:jpe?g|png|gif|webp|svg)\s+"

# A heading of a blog's sidebar box alone on its line ("Recent Posts", "Archives (12)", "Blogroll:").
SIDEBAR_HEADING = (r"^(?:" + languages.regex_alternation(languages.sidebar_headings())
                   + r")\s*(?:\(\s*\d+\s*\)|\d+)?\s*[:»›]?\s*$")
# ... or opening a line that holds its items, each with a count ("Archives November (5) October (18) ...").
SIDEBAR_OPENING = r"^(?:" + languages.regex_alternation(languages.sidebar_headings()) + r")\b"
