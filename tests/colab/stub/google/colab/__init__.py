"""A stand-in for Colab's ``google.colab`` package (tools/colab_simulation.py).

The simulated kernel imports it at start-up, as Colab's does, so ``"google.colab" in sys.modules`` holds and
the notebooks' setup cell takes its Colab branch. The course uses nothing else from it.
"""

SIMULATED = True
