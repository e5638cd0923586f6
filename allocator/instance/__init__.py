"""INPUT: what an instance is, how it is read and checked, and what it holds.

``load_instance`` reads a folder or workbook through the one boundary
(:mod:`~allocator.instance.text`, :mod:`~allocator.instance.tables`,
:mod:`~allocator.instance.cells`) into a validated :class:`Instance`; the
network, the description for ``allocator info`` and the synthetic generator
work on that.
"""

from allocator.instance.core import Instance as Instance
from allocator.instance.core import write_instance as write_instance
from allocator.instance.generate import generate_instance as generate_instance
from allocator.instance.info import describe_instance as describe_instance
from allocator.instance.load import load_instance as load_instance
from allocator.instance.periods import month_labels as month_labels
from allocator.instance.sanity import unusual as unusual

__all__ = [
    "Instance",
    "describe_instance",
    "generate_instance",
    "load_instance",
    "month_labels",
    "unusual",
    "write_instance",
]
