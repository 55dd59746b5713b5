"""pyimagesearch._compat: the book's camelCase names, mapped by one decorator."""

import inspect

import pytest

from pyimagesearch._compat import book_aliases, book_attribute


@book_aliases(figPath="fig_path", startAt="start_at")
def _monitor(fig_path, json_path=None, start_at=0):
    return fig_path, json_path, start_at


def test_book_names_are_renamed_before_the_call():
    assert _monitor(figPath="a.png", startAt=3) == ("a.png", None, 3)
    assert _monitor("a.png", start_at=2) == ("a.png", None, 2)
    # the signature and aliases stay visible
    assert list(inspect.signature(_monitor).parameters) == ["fig_path", "json_path", "start_at"]
    assert _monitor.__book_aliases__ == {"figPath": "fig_path", "startAt": "start_at"}


def test_both_spellings_are_a_type_error_naming_both():
    with pytest.raises(TypeError, match="`startAt`.*`start_at`"):
        _monitor("a.png", startAt=1, start_at=1)
    with pytest.raises(TypeError, match="`figPath`.*`fig_path`"):
        _monitor("a.png", figPath="b.png")  # fig_path given positionally
    with pytest.raises(TypeError):
        _monitor("a.png", jsonPath="j.json")  # not an alias: Python's own error


def test_bad_aliases_are_refused_when_decorating():
    with pytest.raises(ValueError, match="no parameter 'nope'"):
        book_aliases(fooBar="nope")(lambda x: x)
    with pytest.raises(ValueError, match="already has a parameter"):
        book_aliases(x="y")(lambda x, y: x)


def test_book_attribute_reads_and_writes_the_snake_case_one():
    class Gen:
        batchSize = book_attribute("batch_size")

        def __init__(self):
            self.batch_size = 4

    gen = Gen()
    assert gen.batchSize == 4
    gen.batchSize = 8
    assert gen.batch_size == 8


def test_the_preprocessors_take_the_books_names():
    from pyimagesearch.preprocessing import ImageToArrayPreprocessor, MeanPreprocessor

    mp = MeanPreprocessor(rMean=1.0, gMean=2.0, bMean=3.0)
    assert (mp.rMean, mp.gMean, mp.bMean) == (mp.r_mean, mp.g_mean, mp.b_mean) == (1.0, 2.0, 3.0)
    iap = ImageToArrayPreprocessor(dataFormat="channels_first")
    assert iap.dataFormat == iap.data_format == "channels_first"
    with pytest.raises(TypeError, match="rMean.*r_mean"):
        MeanPreprocessor(1.0, 2.0, 3.0, rMean=1.0)
