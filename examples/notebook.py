"""winnow from a notebook (or any Python): run it with `python examples/notebook.py [FOLDER]`.

Ingests the seeds into a warehouse under FOLDER (default: a temporary folder), queries it
through winnow.api, which opens the file only while a query runs, and cleans a page without
any warehouse. Each step prints what it got.

In a script, call winnow from under `if __name__ == "__main__":` (as below): winnow's process
runner starts worker processes that import the main module again, as any Python multiprocessing
code does. Notebook cells need no guard.
"""

import sys
import tempfile
from pathlib import Path

from winnow import api

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="winnow-notebook-"))
    db = folder / "corpus.duckdb"

    # 1. ingest: the same Prefect flow as `winnow ingest`; the summary is a dict
    summary = api.ingest([SEEDS], db=db, export=False)
    print("ingested:", summary["files"]["new"], "new files,", summary["documents"]["corpus"], "documents in the corpus")

    # 2. query: a pyarrow Table; the warehouse is closed again before the next line runs
    table = api.query("SELECT language, count(*) AS documents FROM corpus GROUP BY language ORDER BY language", db=db)
    print("by language:", table.to_pylist())

    # 3. connect: a read-only connection for several queries, closed at the end of the block
    with api.connect(db=db) as con:
        title = con.execute("SELECT title FROM corpus ORDER BY doc_id LIMIT 1").fetchone()[0]
        words = con.execute("SELECT sum(word_count) FROM corpus").fetchone()[0]
    print("first title:", title)
    print("words:", words)

    # 4. a second ingest works now: nothing holds the file (an open duckdb.connect() would make it "busy")
    again = api.ingest([SEEDS], db=db, export=False)
    print("again:", again["files"]["unchanged"], "unchanged files")

    # 5. clean without a warehouse
    (page,) = api.clean([SEEDS / "001_a7bb1ff81f784584.txt"])
    print("cleaned:", page["title"], "-", len(page["text"].split()), "words,", page["language"])


if __name__ == "__main__":
    main()
