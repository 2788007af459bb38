"""winnow's text vocabulary: what a word is (``words``) and what each language calls things
(``languages``). Every cleaner, filter and dedup step reads text through these two modules.
"""

from winnow.vocab.words import VERSION, Tokens, content_key, normalize, tokens, word_count, word_counts, word_units

__all__ = ["VERSION", "Tokens", "content_key", "normalize", "tokens", "word_count", "word_counts", "word_units"]
