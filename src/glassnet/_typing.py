"""Short names for the types used in signatures."""

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]
ArrayLike = npt.ArrayLike
