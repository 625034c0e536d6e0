"""Model files: safetensors tensors + JSON metadata; never pickle.

A model file is a safetensors file (an 8-byte little-endian header length, a JSON header,
then raw tensor bytes) holding one tensor per parameter under the names of
``net.params()`` -- ``"layer1.W"``, ``"layer1.B"``, ... -- and, in the header's
``__metadata__`` (string -> string), these entries:

- ``format``: ``"glassnet"``; ``format_version``: ``"1"``; ``glassnet_version``;
- ``network``: JSON ``{"sizes", "activations", "output_activation", "loss", "reduction",
  "dtype", "dropout"}``, activations as ``{"name": ..., **parameters}``;
- ``extras``: JSON of the caller's metadata (``net.metadata``): any JSON object; these keys,
  when present, are checked: ``feature_names`` (one string per input), ``feature_scaling``
  (``{"mean": [...], "scale": [...]}``, the inputs are ``(X - mean) / scale``),
  ``target_scaling`` (regression: ``{"mean": [...], "scale": [...]}``, the outputs are
  ``O * scale + mean``), ``class_labels`` (one per output; two for a single sigmoid
  output), ``task`` (``"classification"`` or ``"regression"``), ``target`` (a column
  name), ``training`` (an object: a training summary) and ``preprocessing`` (a table-trained
  model's column encodings, checked by ``glassnet.tables.check_preprocessing``).

Loading reads nothing but numbers and JSON, and checks every part against the file before
allocating anything (the architecture must account for exactly the tensor bytes present; the
JSON is bounded in size and nesting, the layers in number): anything unexpected raises
:class:`ModelFileError` with one line saying what is wrong, whatever the file holds.
Saving is atomic: the file is written under a temporary name in the same folder, flushed to
disk, then renamed over the target, so a failed or interrupted save leaves any previous file
byte-for-byte as it was.
"""

from __future__ import annotations

from glassnet.saving._checks import FORMAT as FORMAT
from glassnet.saving._checks import FORMAT_VERSION as FORMAT_VERSION
from glassnet.saving._checks import ModelFileError as ModelFileError
from glassnet.saving._read import load as load
from glassnet.saving._write import save as save
from glassnet.saving._write import write_atomic as write_atomic

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFileError", "load", "save", "write_atomic"]
