"""THE INDEPENDENT CHECKER: a plan against its instance, without the model or the solvers.

:func:`verify` returns every way a plan breaks the model, as sentences. This
package may import :mod:`allocator.instance` and :mod:`allocator.plan`, never
:mod:`allocator.model`, :mod:`allocator.solvers` or :mod:`allocator.pipeline`.
"""

from allocator.verification.checks import made_for_other_data as made_for_other_data
from allocator.verification.checks import verify as verify

__all__ = ["made_for_other_data", "verify"]
