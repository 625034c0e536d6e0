"""Tables with named columns: reading CSV and Parquet files, inferring each column's role,
the preprocessing that travels inside the model file, and :class:`Model` (preprocessing +
network), which ``gn.load`` returns for a table-trained model.

Modules: ``reading`` (files → Table), ``columns`` (numeric / categorical encodings), ``roles``
(what each column becomes), ``target`` (class labels, regression scaling), ``transform``
(Preprocessing: raw columns → X; its JSON), ``model`` (Model, load), ``training`` (the data
preparation and fit behind ``glassnet train``), ``onnx`` (the preprocessing as ONNX nodes).
pandas is imported only to read files.
"""

from glassnet.tables.model import Model, load
from glassnet.tables.reading import Table, read_table
from glassnet.tables.transform import Preprocessing, UnseenValueWarning, check_preprocessing

__all__ = [
    "Model",
    "Preprocessing",
    "Table",
    "UnseenValueWarning",
    "check_preprocessing",
    "load",
    "read_table",
]
