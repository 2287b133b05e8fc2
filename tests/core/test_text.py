"""core.text: what is stored and streamed holds no NUL and no unpaired surrogate."""
import json

from core.text import clean_text, clean_tree, has_unpaired_surrogate


def test_clean_text_drops_nul_and_replaces_unpaired_surrogates():
    assert clean_text("a\x00b\ud800c\udfff") == "ab\ufffdc\ufffd"
    assert clean_text(json.loads('"\\ud83d\\ude00 ok"')) == "\U0001F600 ok"
    (clean_text("x" * 10 + "\ud800")).encode("utf-8")


def test_clean_tree_cleans_keys_and_nested_values_only():
    value = {"k\x00": ["v\x00", {"n": 1, "f": 1.5, "b": True, "none": None}], "t": ("\ud800",)}
    assert clean_tree(value) == {"k": ["v", {"n": 1, "f": 1.5, "b": True, "none": None}], "t": ["\ufffd"]}


def test_has_unpaired_surrogate():
    assert has_unpaired_surrogate("ok \udc80") and not has_unpaired_surrogate(json.loads('"\\ud83d\\ude00"'))
    assert not has_unpaired_surrogate("plain ascii") and not has_unpaired_surrogate("Grüße")
