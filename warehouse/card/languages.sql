-- Documents and words per language in the exported corpus ('und': too little text to tell).
SELECT language, count(*) AS documents, sum(word_count) AS words
FROM corpus
GROUP BY language
ORDER BY documents DESC, language;
