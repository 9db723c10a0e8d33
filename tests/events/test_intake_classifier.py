"""The classifier's array scorer gives what sklearn gives (issue 9: intake scores every
report with it, so it must be the same model, only without sklearn's per-call checks)."""

import numpy as np
import pytest

from gridgov.events import classifier

TEXTS = [
    "路口有辆汽车乱停，占道停车好几天了",
    "小区门口垃圾堆放没人清运",
    "楼道里电动车飞线充电很危险 垃圾 垃圾 垃圾",
    "下水道堵塞，污水冒出来了",
    "完全没有已知的词 xyz",
    "abc",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", TEXTS)
def test_the_scorer_equals_sklearn(text):
    bundle = classifier._current()
    scorer = bundle["scorer"]
    assert scorer is not None
    row = bundle["vectorizer"].transform([text])
    expected = bundle["model"].predict_proba(row)[0]
    probabilities, present, values = scorer.score(text)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-9, atol=1e-12)
    order = np.argsort(present)
    assert list(present[order]) == sorted(row.nonzero()[1])
    np.testing.assert_allclose(values[order], row[0, present[order]].toarray().ravel())


@pytest.mark.django_db
def test_suggestions_are_the_same_with_either_scorer(monkeypatch):
    fast = [classifier.suggest(text) for text in TEXTS]
    bundle = classifier._current()
    monkeypatch.setitem(bundle, "scorer", None)
    assert [classifier.suggest(text) for text in TEXTS] == fast
