"""Rebuild the HTML fixtures from the shared evaluation material (needs ../shared/eval).

    python tests/data/html/make_fixtures.py [--eval ../shared/eval]

- ``pages/``: a few real dev pages of the article-extraction benchmark, gzipped as
  published, with their gold ``articleBody`` in ``gold.json``;
- ``index/``: index/list pages composed from the titles, descriptions, URLs and lead
  paragraphs of the dev pages (teaser rivers, headline archives, cards, blog rivers with
  "Read more", flat ``h2 + p`` lists, a mixed-language list), in the markup styles news
  sites use, and real index pages of the dev data sets (``REAL_INDEX``, copied as published).
  None has an article body;
- ``articles/``: the French and Russian dev dumps of ``multilingual/`` rendered as article
  pages with their related-story box ("À lire aussi", "Читайте также") inside the article
  container; gold in ``gold.json`` too.

The output is committed; CI runs on it without ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
E = html.escape

# real pages kept as fixtures, and what each one exercises
PAGES = {
    "3c5bf8db4272925bf1dd5713fc325e179fd0d1cc6fb8c77aa2d917cfd2518a32": "Related: lines + headline list (livescience)",
    "4a44ab3e4c41d56ce9b79eb07acb06aed1bc52aba68a950f06e7de7ef848400a": "'Also on rt.com' callout, title repeated (rt)",
    "b6fb53e9fb043c98eb1e6530a1074c40922e29025f5454809f3938a7c174faa3": "Italian 'Leggi anche' box",
    "624fcd903d56fc7055fa7097b330629450c095ad6937318deb027be7803bbf35": "SEE MORE / DON'T MISS callouts (express)",
    "2f42ef1d3ea0c96e56355d3db93d0e06b47e760b74f6f4261278b8cd1c246dd6": "body split over identical containers (wired)",
    "f8ff621a0b9b7646cc0d57d37416feabba2bf78ef5dd0bfc5b080f9f97bbe584": "precision mode loses the article (barrons)",
    "c582d3b772578e8feaa3cfd8f5ae8100bb6f0bc66048204a9a398395841c1164": "linked 'Click To Tweet' quotes are body",
    "cc4aa22b8212aec7d289667c0a965569e6f06b9e9196ff8b02219bf2bc1b90d0": "gift guide: linked product headings (an article)",
    "51d066b0602c9421d8d6410bc4b931700978409a3faa2a984e8fbde519ad7241": "related widgets between paragraphs (an article)",
    "23aaecd14171f96cfd201a8a46666097e286ad71f74f29347a78c5ecba50da1e": "Portuguese blog post",
    "ba07d1e64775f4090e39116c382111f5a2cfe9528dd179673f4e9bfcea370c15": "German blog post",
    "0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2": "Korean news page",
}

# real index pages kept as fixtures: name -> (wceb-dev subset, page id)
REAL_INDEX = {
    "real-nytimes-es-front": ("readability", "nytimes-5"),  # The New York Times en Español's front page: 18 teasers
}

NAV = ["Home", "News", "Politics", "Business", "Tech", "Science", "Sport", "Culture", "Opinion", "Video"]


def shell(title, main, lang="en", sidebar="", nav=NAV, site="The Daily Example", og_type="website"):
    navh = "".join(f'<li><a href="/{E(n.lower())}/">{E(n)}</a></li>' for n in nav)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{E(title)} | {E(site)}</title>
<meta property="og:type" content="{og_type}"><meta property="og:site_name" content="{E(site)}"></head>
<body><header class="site-header"><a class="logo" href="/">{E(site)}</a><nav><ul>{navh}</ul></nav></header>
<main id="main" class="content">{main}</main>{sidebar}
<footer class="site-footer"><p>© 2019 {E(site)}. All rights reserved.</p><ul><li><a href="/about">About us</a></li>
<li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy policy</a></li></ul></footer></body></html>"""


def pick(rows, n, seed, need=("title", "description")):
    rows = [r for r in rows if all(r.get(x) for x in need)]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def teasers(rs):
    items = "".join(
        f"""<article class="teaser"><h2 class="teaser__title"><a href="{E(r['url'])}">{E(r['title'])}</a></h2>
<p class="teaser__summary">{E(r['description'])}</p><time datetime="{r['date'] or ''}">{r['date'] or ''}</time></article>"""
        for r in rs)
    side = '<aside class="most-read"><h3>Most read</h3><ol>' + "".join(
        f'<li><a href="{E(r["url"])}">{E(r["title"])}</a></li>' for r in rs[:5]) + "</ol></aside>"
    return shell("Latest news", f'<h1>Latest news</h1><section class="river">{items}</section>'
                 '<div class="pager"><a href="?page=2">Next page</a></div>', sidebar=side)


def headlines(rs):
    items = "".join(f'<li><a href="{E(r["url"])}">{E(r["title"])}</a> <span class="date">{r["date"] or ""}</span></li>'
                    for r in rs)
    return shell("Archive", f'<h1>Archive: November 2019</h1><ul class="archive-list">{items}</ul>')


def river(rs):
    items = "".join(
        f"""<div class="post"><h3><a href="{E(r['url'])}">{E(r['title'])}</a></h3><div class="entry-summary"><p>{E(r['lead'])}</p></div>
<p class="more"><a href="{E(r['url'])}">Continue reading »</a></p></div>""" for r in rs)
    return shell("Blog", f'<div class="posts">{items}</div><nav class="pagination"><a href="/page/2/">Older posts</a></nav>',
                 site="Example Blog")


def cards(rs):
    items = "".join(
        f"""<div class="card"><a href="{E(r['url'])}"><img src="/img/{i}.jpg" alt=""><h3 class="card-title">{E(r['title'])}</h3>
<p class="card-text">{E(r['description'])}</p></a></div>""" for i, r in enumerate(rs))
    return shell("Technology", f'<h1>Technology</h1><div class="grid">{items}</div>')


def category(rs, intro):
    items = "".join(
        f"""<article class="story"><a href="{E(r['url'])}"><img src="/i.jpg" alt="{E(r['title'])}"></a><h3><a href="{E(r['url'])}">{E(r['title'])}</a></h3>
<span class="byline">{r['date'] or ''}</span><p>{E(r['description'])}</p></article>""" for r in rs)
    return shell("Science", f'<h1>Science</h1><div class="intro"><p>{E(intro)}</p></div><div class="stories">{items}</div>')


def readmore(rs):
    items = "".join(
        f"""<div class="entry"><h2 class="entry-title">{E(r['title'])}</h2><div class="entry-content"><p>{E(r['lead'])}</p>
<a class="more-link" href="{E(r['url'])}">Read more</a></div></div>""" for r in rs)
    return shell("Blog", f'<div id="content">{items}</div>', site="Example Blog")


def flat(rs):
    items = "".join(f"""<h2><a href="{E(r['url'])}">{E(r['title'])}</a></h2><p class="meta">{r['date'] or ''}</p>
<p>{E(r['description'])}</p>""" for r in rs)
    return shell("News", f'<div class="entry-list">{items}</div>')


def multilingual(rs, ml_headlines):
    fix = {"0ec95c": "엘제이-류화영 진흙탕 싸움, 공적인 사안으로 봐야하는 이유"}  # its <title> is the site name
    leads = [r for r in rs if r["id"][:6] in ("23aaec", "7837c9", "b6fb53", "ba07d1", "0ec95c")]
    items = "".join(f'<li class="news-item"><h3><a href="/n/{i}">{E(t)}</a></h3><time>2019-11-{10 + i}</time></li>'
                    for i, t in enumerate(ml_headlines))
    items += "".join(
        f"""<li class="news-item"><h3><a href="{E(r['url'])}">{E(fix.get(r['id'][:6], r['title']))}</a></h3>
<p>{E(r['description'] or r['lead'][:200])}</p></li>""" for r in leads)
    return shell("Nouvelles", f'<ul class="news-list">{items}</ul>', lang="fr",
                 nav=["Accueil", "Actualités", "Économie", "Sport", "Culture", "Météo"], site="Le Courrier Exemple")


def article_from_dump(dump: str, gold: dict, lang: str) -> tuple[str, list[str]]:
    """An article page from a multilingual text dump: its related box sits in the body."""
    lines = [ln.strip() for ln in dump.splitlines()]
    body = [ln for ln in gold["body"].split("\n") if ln.strip()]
    after = lines.index(body[-1]) + 1
    rest = [ln for ln in lines[after:]]
    blank = rest.index("", 1) if "" in rest[1:] else len(rest)
    box = [ln for ln in rest[:blank] if ln]  # "À lire aussi", then its headlines
    phrase, heads = box[0], box[1:]
    byline = next(ln for ln in lines if ln and ln not in body and ln != gold["title"] and any(c.isdigit() for c in ln)
                  and len(ln) < 80 and "•" not in ln)
    paras = "".join(f"<p>{E(p)}</p>" for p in body)
    related = f'<h3 class="related-title">{E(phrase)}</h3><ul>' + "".join(
        f'<li><a href="/a/{i}">{E(h)}</a></li>' for i, h in enumerate(heads)) + "</ul>"
    main = (f'<article class="article"><h1>{E(gold["title"])}</h1><p class="byline">{E(byline)}</p>'
            f'<div class="article-body">{paras[: paras.rfind("<p>")]}{related}{paras[paras.rfind("<p>"):]}</div></article>')
    nav = [ln for ln in lines if "|" in ln][:1]
    page = shell(gold["title"], main, lang=lang, nav=(nav[0].split(" | ") if nav else NAV), site="Exemple", og_type="article")
    return page, heads


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", type=Path, default=HERE.parents[3] / "shared" / "eval")
    args = ap.parse_args()
    import trafilatura
    from trafilatura.metadata import extract_metadata

    dev = args.eval / "aeb-dev"
    truth = json.loads((dev / "ground-truth.json").read_text(encoding="utf-8"))
    (HERE / "pages").mkdir(exist_ok=True)
    gold = {}
    for pid, what in PAGES.items():
        shutil.copyfile(dev / "html" / f"{pid}.html.gz", HERE / "pages" / f"{pid[:12]}.html.gz")
        gold[pid[:12]] = {"url": truth[pid]["url"], "articleBody": truth[pid]["articleBody"], "what": what}

    rows = []
    for pid in sorted(truth):
        page = gzip.decompress((dev / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8")
        m = extract_metadata(trafilatura.load_html(page))
        lead = [p for p in truth[pid]["articleBody"].split("\n") if len(p.split()) > 15][:1]
        rows.append({"id": pid, "title": m.title, "description": m.description, "url": truth[pid]["url"],
                     "date": m.date, "lead": lead[0] if lead else ""})

    ml = args.eval / "multilingual"
    ml_gold = {g["file"]: g for g in map(json.loads, (ml / "gold.jsonl").read_text(encoding="utf-8").splitlines())}
    (HERE / "articles").mkdir(exist_ok=True)
    ml_heads = []
    for name, g in sorted(ml_gold.items()):
        page, heads = article_from_dump((ml / name).read_text(encoding="utf-8"), g, g["language"])
        stem = name.rsplit(".", 1)[0]
        (HERE / "articles" / f"{stem}.html.gz").write_bytes(gzip.compress(page.encode("utf-8"), mtime=0))
        gold[stem] = {"url": None, "articleBody": g["body"], "title": g["title"], "related": heads,
                      "what": f"{g['language']} article with its related box inside the body"}
        ml_heads += heads + [g["title"]]

    intro = ("Our science desk covers space, climate, health and technology. Here you will find the latest "
             "reporting from our correspondents, explainers on the research behind the headlines and "
             "interviews with the scientists who make it. New stories are added every day.")
    index = {
        "teasers": teasers(pick(rows, 12, 1)),
        "headlines": headlines(pick(rows, 25, 2, ("title",))),
        "river": river(pick(rows, 8, 3, ("title", "lead"))),
        "cards": cards(pick(rows, 12, 4)),
        "category": category(pick(rows, 8, 5), intro),
        "readmore": readmore(pick(rows, 6, 6, ("title", "lead"))),
        "flat": flat(pick(rows, 10, 7)),
        "multilingual": multilingual(rows, ml_heads),
    }
    (HERE / "index").mkdir(exist_ok=True)
    for name, page in index.items():
        (HERE / "index" / f"{name}.html.gz").write_bytes(gzip.compress(page.encode("utf-8"), mtime=0))
    # real index pages of the dev data sets, as published (Mozilla Readability's test pages)
    for name, (subset, pid) in REAL_INDEX.items():
        shutil.copyfile(args.eval / "wceb-dev" / "html" / subset / f"{pid}.html.gz", HERE / "index" / f"{name}.html.gz")
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(PAGES)} pages, {len(ml_gold)} articles, {len(index) + len(REAL_INDEX)} index pages written to {HERE}")


if __name__ == "__main__":
    main()
