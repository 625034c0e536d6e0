"""glassnet: multilayer perceptrons whose forward and back propagation are plain matrix maths.

>>> import glassnet as gn
>>> net = gn.Network([4, 8, 3], loss="cross_entropy", seed=0)
>>> net
Network([4, 8, 3], activation=[relu], output_activation='softmax', loss='cross_entropy', reduction='mean', dtype='float32', params=67)
"""

from glassnet import activations, datasets, losses, optimizers, schedules, trace
from glassnet._version import __version__
from glassnet.activations import Activation
from glassnet.export import export_onnx
from glassnet.gradcheck import GradcheckReport, gradcheck
from glassnet.history import DivergenceWarning, History
from glassnet.layers import Dense
from glassnet.losses import Loss
from glassnet.network import Network
from glassnet.optimizers import SGD, Adam, AdamW, Optimizer, RMSprop
from glassnet.tables import Model, load
from glassnet.trace import Trace

__all__ = [
    "SGD",
    "Activation",
    "Adam",
    "AdamW",
    "Dense",
    "DivergenceWarning",
    "GradcheckReport",
    "History",
    "Loss",
    "Model",
    "Network",
    "Optimizer",
    "RMSprop",
    "Trace",
    "__version__",
    "activations",
    "datasets",
    "export_onnx",
    "gradcheck",
    "load",
    "losses",
    "optimizers",
    "schedules",
    "trace",
]
