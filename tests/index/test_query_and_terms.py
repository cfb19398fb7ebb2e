import pytest

from index.abbreviations import ConceptMatcher
from index.query import AnswerKind, QueryReader
from index.terms import TermMaker, syllables_of_words


@pytest.fixture(scope="module")
def reader() -> QueryReader:
    return QueryReader(TermMaker())


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("CĐS", "chuyển đổi số"),
        ("UBND", "Ủy ban nhân dân"),
        ("HĐND", "Hội đồng nhân dân"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("DVC", "dịch vụ công"),
        ("CSDL", "cơ sở dữ liệu"),
        ("CNTT", "công nghệ thông tin"),
        ("KT-XH", "kinh tế - xã hội"),
    ],
)
def test_abbreviation_and_full_form_share_a_concept_term(short: str, full: str) -> None:
    terms = TermMaker()
    short_concepts = {t for t in terms.terms([short]) if t.startswith("#")}
    full_concepts = {t for t in terms.terms([full]) if t.startswith("#")}
    assert short_concepts & full_concepts


def test_renamed_department_is_one_entity_for_search() -> None:
    terms = TermMaker()
    old = {t for t in terms.terms(["Sở Thông tin và Truyền thông"]) if t.startswith("#so_")}
    new = {t for t in terms.terms(["Sở KH&CN"]) if t.startswith("#so_")}
    assert old == new == {"#so_khcn"}


def test_nested_spellings_all_count() -> None:
    assert ConceptMatcher().terms("dvc truc tuyen") == ["#dvc", "#dvctt"]


def test_question_words_leave_the_query_but_shape_the_answer(reader: QueryReader) -> None:
    query = reader.read("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?")
    assert query.kind is AnswerKind.QUANTITY
    assert "bao" not in query.content_syllables and "nhieu" not in query.content_syllables


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hải Dương xếp thứ mấy?", AnswerKind.RANK),
        ("hai duong xep hang bao nhieu", AnswerKind.RANK),
        ("Khi nào đưa Trung tâm dữ liệu vào sử dụng?", AnswerKind.TIME),
        ("Ai chủ trì phiên họp?", AnswerKind.PERSON),
        ("Những xã nào thí điểm?", AnswerKind.LIST),
    ],
)
def test_answer_kind_is_read_from_question_words(reader: QueryReader, question: str, kind: AnswerKind) -> None:
    assert reader.read(question).kind is kind


def test_machine_is_not_mistaken_for_how_many(reader: QueryReader) -> None:
    assert "may" in reader.read("co bao nhieu may tinh").content_syllables


def test_query_without_diacritics_gets_the_same_terms(reader: QueryReader) -> None:
    assert reader.read("Hải Dương xếp hạng bao nhiêu?").terms == reader.read("hai duong xep hang bao nhieu").terms


def test_case_and_segmentation_do_not_change_terms() -> None:
    # underthesea joins "Hà Nội" but not "hà nội"; terms from syllables line up either way.
    assert syllables_of_words(["Hà_Nội"]) == syllables_of_words(["hà", "nội"]) == ["ha", "noi"]


def test_years_in_question_are_kept_for_time_preference(reader: QueryReader) -> None:
    assert reader.read("Kết quả chuyển đổi số năm 2023").years == (2023,)


def test_roman_and_arabic_quarters_are_the_same_terms() -> None:
    assert syllables_of_words(["quý", "I-2022"]) == syllables_of_words(["quý", "1", "2022"])


def test_heading_never_forms_a_passage_alone() -> None:
    from knowledge.documents.passages import split_passages

    heading = "Ban Chỉ đạo chuyển đổi số tỉnh họp đánh giá tình hình thực hiện nhiệm vụ 6 tháng đầu năm 2022 tại tỉnh"
    body = " ".join(["Chủ tịch UBND tỉnh chủ trì cuộc họp với các sở, ngành và địa phương trong tỉnh."] * 10)
    passages = split_passages(f"{heading}\n\n{body}")
    assert passages[0].startswith(heading) and len(passages[0].split()) > len(heading.split())
