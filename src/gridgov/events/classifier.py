"""Subclass suggestion from the Chinese text of a report, that says why.

Words come from jieba; a TF-IDF + logistic-regression model is trained on the catalog
(names and keywords of every subclass) and on the history (descriptions of filed
events with the subclass they ended with). The model lives in the database, so every
process uses the same one; `gridgov train_classifier` retrains it.

Each process keeps the newest model (common/versioned_cache.py; the model's id is its
version, checked every few seconds at most), so a suggestion costs no query, and scores
a report's few words with the model's arrays (`_Scorer`) rather than through sklearn's
per-call checks, which cost more than the arithmetic (issue 9).
"""

import io
import logging
import pickle
from collections import Counter
from dataclasses import dataclass

import jieba
import numpy as np
from django.db import models
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from gridgov.common.versioned_cache import VersionedValue

jieba.setLogLevel(logging.WARNING)
HISTORY_LIMIT = 50_000


class TrainedClassifier(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    samples = models.PositiveIntegerField()
    blob = models.BinaryField()

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"classifier {self.pk} ({self.samples} samples)"


def tokens(text: str) -> list[str]:
    return [
        w for w in jieba.lcut(text or "") if w.strip() and len(w.strip()) > 0 and not w.isspace()
    ]


def _training_rows() -> tuple[list[str], list[str]]:
    from gridgov.events.models import Event, Subclass
    from gridgov.events.workflow import State

    texts, labels = [], []
    for subclass in Subclass.objects.filter(active=True):
        samples = [
            subclass.name_zh,
            f"{subclass.name_zh} {subclass.keywords}",
            *subclass.keywords.split(),
        ]
        texts += samples
        labels += [subclass.code] * len(samples)
    history = (
        Event.objects.exclude(state__in=[State.REPORTED, State.REJECTED, State.VOIDED])
        .order_by("-reported_at")
        .values_list("description", "subclass__code")[:HISTORY_LIMIT]
    )
    for description, code in history:
        texts.append(description)
        labels.append(code)
    return texts, labels


def train() -> TrainedClassifier:
    texts, labels = _training_rows()
    vectorizer = TfidfVectorizer(
        tokenizer=tokens, token_pattern=None, lowercase=False, sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(max_iter=2000, C=10.0)
    model.fit(matrix, labels)
    buffer = io.BytesIO()
    pickle.dump({"vectorizer": vectorizer, "model": model}, buffer)
    trained = TrainedClassifier.objects.create(samples=len(texts), blob=buffer.getvalue())
    _model.invalidate_after_commit()
    return trained


@dataclass(frozen=True)
class _Scorer:
    """The fitted TF-IDF + logistic regression as arrays, equal to `transform` then
    `predict_proba` (tests/events/test_intake_classifier.py) for the vectorizer `train`
    makes: word unigrams from `tokens`, sublinear tf, idf, l2 norm."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # classes × words; one row when there are two classes
    intercept: np.ndarray

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, model: LogisticRegression) -> "_Scorer | None":
        settings = vectorizer.get_params()
        expected = {
            "analyzer": "word",
            "ngram_range": (1, 1),
            "lowercase": False,
            "preprocessor": None,
            "stop_words": None,
            "strip_accents": None,
            "use_idf": True,
            "sublinear_tf": True,
            "norm": "l2",
            "binary": False,
        }
        if any(settings.get(k) != v for k, v in expected.items()):
            return None  # another kind of model: sklearn scores it
        return cls(vectorizer.vocabulary_, vectorizer.idf_, model.coef_, model.intercept_)

    def score(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(probability per class, word indices present, their tf-idf weights)."""
        counts = Counter(i for i in (self.vocabulary.get(w) for w in tokens(text)) if i is not None)
        present = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
        values *= self.idf[present]
        norm = np.sqrt(np.dot(values, values))
        if norm > 0:
            values /= norm
        decision = self.coef[:, present] @ values + self.intercept
        if self.coef.shape[0] == 1:
            positive = expit(decision[0])
            return np.array([1.0 - positive, positive]), present, values
        return softmax(decision), present, values


def _latest_id() -> int | None:
    return TrainedClassifier.objects.order_by("-pk").values_list("pk", flat=True).first()


def _load() -> dict:
    latest = _latest_id()
    row = TrainedClassifier.objects.get(pk=latest) if latest is not None else train()
    # Our own pickle, written by train() into our own database.
    bundle = pickle.loads(bytes(row.blob))  # noqa: S301
    # Built once here: get_feature_names_out() makes an array of the whole vocabulary.
    bundle["vocabulary"] = bundle["vectorizer"].get_feature_names_out()
    bundle["scorer"] = _Scorer.of(bundle["vectorizer"], bundle["model"])
    return bundle


_model: VersionedValue[dict] = VersionedValue(_load, _latest_id)


def _current() -> dict:
    return _model.get()


def suggest(text: str, top: int = 3) -> list[dict]:
    """The `top` likeliest subclasses with their probability and the words that decided it."""
    from gridgov.events.catalog_cache import catalog

    if not (text or "").strip():
        return []
    bundle = _current()
    model, scorer = bundle["model"], bundle["scorer"]
    if scorer is not None:
        probabilities, present, values = scorer.score(text)
    else:
        row = bundle["vectorizer"].transform([text])
        probabilities = model.predict_proba(row)[0]
        present = row.nonzero()[1]
        values = np.asarray(row[0, present].todense()).ravel()
    names = catalog().names
    vocabulary = bundle["vocabulary"]
    answer = []
    for index in probabilities.argsort()[::-1][:top]:
        code = model.classes_[index]
        coefficients = model.coef_[index] if model.coef_.shape[0] > 1 else model.coef_[0]
        weights = sorted(
            (
                (coefficients[i] * value, vocabulary[i])
                for i, value in zip(present, values, strict=True)
            ),
            reverse=True,
        )
        answer.append(
            {
                "code": code,
                "name": names.get(code, code),
                "score": round(float(probabilities[index]), 4),
                "words": [w for weight, w in weights[:3] if weight > 0],
            }
        )
    return answer


def explain(text: str, k: int = 3) -> list[tuple]:
    """The `k` likeliest active subclasses as (subclass, score, words): the words are the
    report's tokens that pushed hardest towards that subclass (largest positive weight ×
    tf-idf), so the operator sees why before taking a suggestion with one click."""
    from gridgov.events.catalog_cache import catalog

    subclasses = catalog().subclasses
    return [
        (subclasses[row["code"]], row["score"], row["words"])
        for row in suggest(text, top=k)
        if row["code"] in subclasses  # a subclass switched off since training is not offered
    ]
