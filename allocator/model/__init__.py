"""THE MATH: an instance as the allocation LP, in arrays, with its lexicographic stages.

``build_model(instance, ModelOptions(...))`` returns a :class:`LinearProgram`;
nothing here knows PuLP or a solver (that is :mod:`allocator.solvers`). Each
family of ``models/README.md`` is one function, listed in :data:`FAMILIES`.
"""

from allocator.model.build import FAMILIES as FAMILIES
from allocator.model.build import Family as Family
from allocator.model.build import ModelOptions as ModelOptions
from allocator.model.build import build_model as build_model
from allocator.model.data import weight_groups as weight_groups
from allocator.model.program import Builder as Builder
from allocator.model.program import LinearProgram as LinearProgram
from allocator.model.program import Stage as Stage

__all__ = [
    "FAMILIES",
    "Builder",
    "Family",
    "LinearProgram",
    "ModelOptions",
    "Stage",
    "build_model",
    "weight_groups",
]
