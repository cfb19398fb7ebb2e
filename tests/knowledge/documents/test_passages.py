from index.text import word_count
from knowledge.documents.passages import split_passages

SENTENCE = "Tỉnh đã triển khai nhiều nhiệm vụ chuyển đổi số quan trọng trong năm qua với sự tham gia của các sở, ngành."


def test_passages_stay_within_word_bounds_and_never_cut_a_sentence() -> None:
    text = "\n\n".join(" ".join([SENTENCE] * 3) for _ in range(8))
    passages = split_passages(text)
    assert len(passages) > 1
    for passage in passages:
        assert 40 <= word_count(passage) <= 150
        # Every passage is made of whole sentences.
        assert passage.replace(SENTENCE, "").strip() == ""


def test_a_sentence_longer_than_the_limit_stands_alone_uncut() -> None:
    long_sentence = " ".join(["chuyển đổi số"] * 70) + "."
    passages = split_passages(f"{SENTENCE}\n\n{long_sentence}\n\n{SENTENCE}")
    assert any(long_sentence in p for p in passages)


def test_heading_line_stays_with_the_paragraph_after_it_on_its_own_line() -> None:
    text = "Hải Dương đứng thứ 13/63 về chuyển đổi số\n" + " ".join([SENTENCE] * 4)
    passages = split_passages(text)
    assert passages[0].startswith("Hải Dương đứng thứ 13/63 về chuyển đổi số\n")


def test_short_tail_joins_the_previous_passage() -> None:
    text = "\n\n".join([" ".join([SENTENCE] * 4), "Xong."])
    passages = split_passages(text)
    assert len(passages) == 1 and passages[0].endswith("Xong.")
