import pytest

from app.i18n.lix import lix, sentence_count, words


def test_counts_words_sentences_and_long_words() -> None:
    text = "Jag heter Maja. Jag bor i Luleå och har hjärtsvikt."
    assert words(text) == [
        "Jag",
        "heter",
        "Maja",
        "Jag",
        "bor",
        "i",
        "Luleå",
        "och",
        "har",
        "hjärtsvikt",
    ]
    assert sentence_count(text) == 2
    # 10 words / 2 sentences + 100 * 1 long word (hjärtsvikt) / 10 words = 5 + 10
    assert lix(text) == pytest.approx(15.0)


def test_a_known_hard_sentence() -> None:
    text = (
        "Samordningsansvarig verksamhetschef dokumenterar egenvårdsbedömningen "
        "i journalsystemet enligt gällande dokumentationsrutin."
    )
    # 9 words in one sentence, 7 of them longer than six letters: 9 + 700 / 9
    assert lix(text) == pytest.approx(9 + 700 / 9)
    assert lix(text) > 60  # "very hard": official prose


def test_colons_end_sentences_and_empty_text_is_zero() -> None:
    assert sentence_count("Nästa steg: ring Karin.") == 2
    assert lix("") == 0.0
    assert lix("123 456") == 0.0


def test_hyphenated_and_swedish_letters_count_as_one_word() -> None:
    assert words("E-post till Åsa-Märta") == ["E-post", "till", "Åsa-Märta"]
