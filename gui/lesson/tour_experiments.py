"""The guided tour's second part: the lesson's own experiments, each with the app set up for it.

Plain data like `tour_steps` (no Qt): the steps come after the classic lesson's eleven.
"""
from __future__ import annotations

from gui.lesson.tour_steps import TourContext, TourStep

EXPERIMENT_KEYS = ("patterns", "paint", "probes", "stumble", "settings", "shuffled")


def experiment_steps(ctx: TourContext | None = None) -> list:
    """Return the steps that walk through the lesson's experiments for the network described by ctx."""
    ctx = ctx or TourContext()
    hidden = ctx.hidden
    n_in = ctx.sizes[0]
    return [
        TourStep(
            "patterns", "They look random",
            "<p>What do the first hidden neurons look for? Draw each one's incoming weights as a picture, one "
            "pixel per weight, all on one colour scale. We might hope for edges and loops, the pieces digits "
            "are made of.</p><p>After some training they look almost random: patches of orange and blue with "
            "little we would call a stroke. The network reads digits well all the same. Whatever the hidden "
            "layers do, it is not what we imagined when we drew the network.</p>",
            "Every tile is one neuron's weights. We trained 300 more mini-batches first. Hover over a tile "
            "for its activation on the current image; click one to select it everywhere.",
            (("pause",), ("step", 300), ("select_neuron", *hidden), ("show_panel", "patterns")),
            dict(panel="patterns", neuron=hidden, paused=True, stepped=300)),
        TourStep(
            "paint", "Build an edge detector by hand",
            f"<p>Build the neuron we hoped for. Set all of its {n_in} weights to 0, then make those in a thin "
            "stripe positive: its weighted sum now just adds up the pixels in the stripe. Make the weights "
            "around the stripe negative, and the sum is largest when the stripe is bright and its surround "
            "dark: an edge.</p><p>Last, a bias of −10: the neuron lights up only when that sum passes 10. "
            "Then train on and watch what gradient descent does with your neuron.</p>",
            "Choose Edge region and drag a thin stripe on the grid, then click Bias −10. The readout gives "
            "z and a for the current image, and the test images that excite the neuron most appear below. "
            "Ctrl+Z undoes each stroke.",
            (("pause",), ("select_neuron", *hidden), ("show_panel", "paint")),
            dict(panel="paint", neuron=hidden, paused=True)),
        TourStep(
            "probes", "Outside the data",
            "<p>Show the network something that is not a digit: random noise, or a blank image. It has no "
            "answer “none of these”. It must name one of its classes, and it often does so with "
            "confidence.</p><p>Move a digit a few pixels, or turn it: we still see the same digit, but "
            "the network learned pixels at fixed places, and its answer may change. This is the quickest "
            "way to see that it has not learned what we think it has.</p>",
            "Click Random noise, Blank image, or shift and rotate the current image. The panel gives the "
            "network's answer, its output, and what that tells us.",
            (("pause",), ("show_panel", "probes")),
            dict(panel="probes", paused=True)),
        TourStep(
            "stumble", "Stumbling downhill",
            "<p>A mini-batch step is “not the most efficient step downhill, but a pretty good "
            "approximation”. How good? Compare the gradient of one mini-batch with the true gradient over "
            "all the training images, taken at the same point.</p><p>They point tens of degrees apart, "
            "yet a step along either lowers the cost by nearly as much. The larger the batch, the smaller "
            "the angle, and the dearer each step.</p>",
            "We took one step. Click Compare: the angle, the cost after each step and the angle for larger "
            "batches appear; on the cost surface the two gradients are drawn as dashed arrows.",
            (("pause",), ("step", 1), ("show_panel", "stumble")),
            dict(panel="stumble", paused=True, stepped=1)),
        TourStep(
            "settings", "Settings that go together",
            "<p>A learning rate belongs to its optimizer. η = 3 suits plain gradient descent on sigmoid "
            "neurons with the quadratic cost; Adam takes steps of about η in every direction at once, and "
            "at η = 0.5 it throws every neuron into saturation, where the gradient vanishes. The run "
            "collapses to chance, about 10 %, and the cost stays stuck.</p><p>So choosing an optimizer, "
            "activation or cost here moves the learning rate to one that suits it, and says so.</p>",
            "Choose Adam in the training panel: the learning rate moves to 0.01, with a notice and Undo. "
            "Undo it and train an epoch to see a collapsed run flagged, with its likely cause.",
            (("pause",), ("show_panel", "training")),
            dict(panel="training", paused=True)),
        TourStep(
            "shuffled", "Memorising noise",
            "<p>Shuffle the training labels, so that a label says nothing about its image, and train again. "
            "The training cost still falls: with enough weights a network can memorise arbitrary "
            "answers. Its test accuracy stays at chance.</p><p>A falling cost alone does not show that a "
            "network has learned anything. This experiment trains networks of its own, apart from the "
            "one in the diagram; the panel says which, and can use the lesson's network instead.</p>",
            "Choose Shuffled labels and press Run. Solid lines are test accuracy, dashed ones training "
            "accuracy.",
            (("pause",), ("show_panel", "compare")),
            dict(panel="compare", paused=True)),
    ]
