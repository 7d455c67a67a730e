"""The guided tour's steps: what each says, how it sets the app up, and the state it leaves.

Plain data and functions (no Qt), so a test can run every step against a stand-in host.
Each step's `actions` are calls on the host (see gui.tour.TourHost), made in order by
`apply(host)`; `expects` describes the state they leave, with these keys:

    panel          the panel the step is about: in host.visible_panels()
    panels         further panels that must be visible too
    neuron         (layer, index) == host.selected_neuron()
    paused         == host.is_paused()
    connection     the last (weight_layer, to, from_) passed to host.select_connection
    diagram_mode, colour_by, surface_plane, example (split, index), stepped (the last step(n)),
    pace (the last set_pace: Play's steps per second)

The first four can be read back through the host (`unmet`); the rest only a recording host sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CLASSIC_SIZES = (784, 16, 16, 10)
WATCHABLE_PACE = 5  # steps/s when the tour hands over to Play: each step can be followed
FUNCTION_WORDS = {"sigmoid": "the sigmoid σ squashes it into the range 0 to 1",
                  "tanh": "tanh squashes it into the range −1 to 1",
                  "relu": "ReLU keeps it if it is positive and replaces it by 0 if not",
                  "leaky_relu": "leaky ReLU keeps it if positive and shrinks it a hundredfold if not"}


@dataclass(frozen=True)
class TourContext:
    """What the steps need to know about the network on show, to choose sensible neurons."""

    sizes: tuple = CLASSIC_SIZES
    activation: str = "sigmoid"
    cost: str = "quadratic"
    label: int | None = None  # the current example's class, if known

    @classmethod
    def of(cls, snap) -> TourContext:
        return cls(tuple(snap.sizes), snap.activation, snap.cost, snap.label)

    @property
    def n_params(self) -> int:
        return sum(a * b + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def out_layer(self) -> int:
        return len(self.sizes) - 1

    @property
    def hidden(self) -> tuple:
        """Return a neuron of the first hidden layer (the output layer when there is none)."""
        return 1, min(3, self.sizes[1] - 1)

    @property
    def answer(self) -> tuple:
        """Return the output neuron of the current example's class (class 0 if unknown)."""
        label = self.label if self.label is not None and self.label < self.sizes[-1] else 0
        return self.out_layer, label

    def output_connection(self, source: int = 3) -> tuple:
        """Return a connection into the answer's neuron from the layer below."""
        return self.out_layer - 1, self.answer[1], min(source, self.sizes[-2] - 1)


@dataclass(frozen=True)
class TourStep:
    """One step of the tour."""

    key: str
    title: str
    body: str  # HTML paragraphs, in our own words
    look: str  # what to look at, once the app is set up
    actions: tuple  # ((host method name, *arguments), …), applied in order
    expects: dict = field(default_factory=dict)

    def apply(self, host) -> None:
        """Set the app up for this step through the host; if a call fails, make the rest, then raise."""
        failure = None
        for name, *args in self.actions:
            try:
                getattr(host, name)(*args)
            except Exception as exc:  # one missing panel should not skip the rest of the set-up
                failure = failure or exc
        if failure is not None:
            raise failure

    def unmet(self, host) -> list:
        """Return the parts of `expects` the host can report and does not match (empty: all met)."""
        problems = []
        visible = set(host.visible_panels())
        for name in ((self.expects["panel"],) if "panel" in self.expects else ()) + tuple(self.expects.get("panels", ())):
            if name not in visible:
                problems.append(f"panel {name!r} is not visible")
        if "neuron" in self.expects and tuple(host.selected_neuron() or ()) != tuple(self.expects["neuron"]):
            problems.append(f"selected neuron is {host.selected_neuron()}, expected {self.expects['neuron']}")
        if "paused" in self.expects and bool(host.is_paused()) != self.expects["paused"]:
            problems.append(f"training should {'be paused' if self.expects['paused'] else 'run'}")
        return problems


def lesson_steps(ctx: TourContext = TourContext()) -> list:
    """Return the lesson's eleven steps for the network described by ctx."""
    n_in, n_hidden, n_out = ctx.sizes[0], ctx.sizes[1], ctx.sizes[-1]
    params = f"{ctx.n_params:,}"
    hidden, answer, conn = ctx.hidden, ctx.answer, ctx.output_connection()
    second = ctx.output_connection(5)
    squash = FUNCTION_WORDS.get(ctx.activation, f"{ctx.activation} transforms it")
    cost_words = (
        "For each output, take the difference between what the network said and what we wanted, "
        "square it, and add up the squares."
        if ctx.cost == "quadratic" else
        "This network's outputs are probabilities (a softmax), and its cost is −log of the probability "
        "it gives the right digit: 0 for certainty, growing fast as the right answer becomes unlikely.")
    return [
        TourStep(
            "function", f"A function of {n_in} numbers",
            f"<p>Put the word “neural” aside for a moment. This network is a function: you give it {n_in} "
            f"numbers — the brightness of every pixel of a 28×28 image, from 0 for black to 1 for white — "
            f"and it gives back {n_out} numbers, one per digit. The largest of them is its answer.</p>"
            f"<p>In between is nothing but arithmetic with {params} adjustable numbers, the weights and "
            f"biases. Learning means finding good values for them.</p>",
            "The column on the left of the diagram is the image, pixel by pixel. The output neurons on "
            "the right are brighter the more the network believes in that digit.",
            (("pause",), ("show_example", "train", 0), ("show_panel", "sample"), ("show_panel", "diagram"),
             ("set_diagram_mode", "all"), ("set_colour_by", "values")),
            dict(panel="diagram", panels=("sample",), paused=True, example=("train", 0), diagram_mode="all",
                 colour_by="values")),
        TourStep(
            "neuron", "One neuron: weighted sum, bias, squashing",
            f"<p>Take one neuron of the first hidden layer. It looks at every one of the {n_in} inputs and "
            f"multiplies each by a weight of its own: a positive weight (orange) rewards brightness at that "
            f"pixel, a negative one (blue) penalises it. It adds all the products up.</p>"
            f"<p>Then it adds its bias, which sets how large the sum must be before the neuron gets "
            f"excited. Finally {squash}. The result is the neuron's activation.</p>",
            "The inspector shows this neuron's weights as a picture, and its weighted sum, bias and "
            "activation for the current image. The diagram shows only its connections.",
            (("pause",), ("select_neuron", *hidden), ("show_panel", "inspector"), ("set_diagram_mode", "selected")),
            dict(panel="inspector", neuron=hidden, paused=True, diagram_mode="selected")),
        TourStep(
            "matrix", "A whole layer at once: matrix form",
            f"<p>Writing out {n_hidden} weighted sums one at a time is tedious. Instead, stack each neuron's "
            f"weights as one row of a matrix W. Multiplying W by the column of inputs a<sup>(0)</sup> does all "
            f"{n_hidden} weighted sums at once; add the column of biases b and squash each entry, and "
            f"you have the next layer:</p><p align='center'><b>a<sup>(1)</sup> = σ(W a<sup>(0)</sup> + b)</b></p>"
            f"<p>The whole network is this one line, repeated layer after layer — and computers are very "
            f"good at multiplying matrices.</p>",
            "Each row of the heat map is one neuron. Hover over a row: the diagram highlights that "
            "neuron, and on the right you see its weights as an image, and what each pixel contributes.",
            (("pause",), ("select_neuron", *hidden), ("show_panel", "matrix")),
            dict(panel="matrix", neuron=hidden, paused=True)),
        TourStep(
            "cost", "How wrong is it? The cost of one example",
            f"<p>To improve the network we first need one number that says how badly it did. For a "
            f"picture of the digit {answer[1]}, we want output {answer[1]} to be 1 and every other output "
            f"to be 0.</p>"
            f"<p>{cost_words} The total is the cost of this example: small when the network is right and "
            f"sure of it, large when it is confused or confidently wrong.</p>",
            "The current example panel shows the image, its label, the outputs next to what we wanted, "
            "and the cost. The selected neuron is the one that should light up.",
            (("pause",), ("select_neuron", *answer), ("show_panel", "sample"), ("set_colour_by", "values")),
            dict(panel="sample", neuron=answer, paused=True, colour_by="values")),
        TourStep(
            "average", "The average cost",
            f"<p>One image tells us little: the network should do well on all of them. So we average the "
            f"cost over every training image. That average is a single number that depends on all "
            f"{params} weights and biases.</p><p>The images stay fixed; only the weights and biases can "
            f"move. Training means moving them so that this average goes down.</p>",
            "The evaluation panel measures accuracy and average cost over the whole test set. (The "
            "Charts tab next to it follows the cost of each mini-batch as training goes on.)",
            (("pause",), ("show_panel", "evaluation")),
            dict(panel="evaluation", paused=True)),
        TourStep(
            "descent", "Downhill: gradient descent in 1-D and 2-D",
            "<p>Imagine the cost as a function of a single weight: a curve. Wherever you stand, the slope "
            "says which way is downhill. Take a small step that way, look again, step again, and you roll "
            "into a valley — a local minimum, not necessarily the lowest one.</p><p>With two weights the "
            "curve becomes a landscape. The gradient points the way of steepest ascent; step against it. "
            f"The real network has {params} directions, but the idea is exactly the same.</p>",
            "The cost surface shows the cost over two output weights, with the path training took and "
            "where the network is now. Click two other connections in the diagram to slice along them.",
            (("pause",), ("select_connection", *second), ("select_connection", *conn),
             ("set_surface_plane", "parameters"), ("show_panel", "surface")),
            dict(panel="surface", paused=True, connection=conn, surface_plane="parameters")),
        TourStep(
            "gradient", "The negative gradient: which weights matter most",
            f"<p>The gradient is a list of {params} numbers, one per weight and bias. The sign of each says "
            f"whether to nudge that parameter up or down; its size says how much the cost cares.</p><p>If one "
            f"component is 3.2 and another 0.1, the cost is 32 times more sensitive to the first. So the "
            f"negative gradient is a direction and a ranking at once: the changes that buy the most "
            f"improvement come first.</p>",
            "Connections are coloured by their gradient for the current image, and only the strongest are "
            "drawn. The ranking lists the weights whose nudges matter most right now.",
            (("pause",), ("set_colour_by", "gradients"), ("set_diagram_mode", "strongest"),
             ("show_panel", "ranking")),
            dict(panel="ranking", paused=True, colour_by="gradients", diagram_mode="strongest")),
        TourStep(
            "backprop", "Backpropagation for one example",
            f"<p>What does this one image want? Output {answer[1]} wants to be higher and the others lower, "
            f"each in proportion to how far off it is. A neuron can get there in three ways: change its "
            f"bias; change its weights, most of all those from bright neurons; or change the activations "
            f"of the layer before.</p><p>We cannot set those activations directly, but we can add up what "
            f"every output wants from them. That list of nudges is passed back one layer, and the same "
            f"reasoning repeats there: backpropagation.</p>",
            "The diagram shows how much each connection contributes and the nudge each neuron wants; the "
            "inspector breaks down the selected neuron's share.",
            (("pause",), ("select_neuron", *answer), ("set_colour_by", "gradients"),
             ("set_diagram_mode", "contributions"), ("show_panel", "inspector")),
            dict(panel="inspector", neuron=answer, paused=True, colour_by="gradients",
                 diagram_mode="contributions")),
        TourStep(
            "batch", "Averaging over a mini-batch",
            "<p>One image's wishes would tune the network to that image alone. The true gradient averages "
            "the wishes of every training image, but working through all of them for every single step is "
            "slow.</p><p>So we shuffle the images, cut them into small mini-batches, average the nudges "
            "over one batch, and take a step. Each step follows a rough estimate of the right direction, "
            "but a cheap one.</p>",
            "We just took one step. The mini-batch panel shows its images and how much each pulled on the "
            "selected neuron.",
            (("pause",), ("step", 1), ("show_panel", "batch")),
            dict(panel="batch", paused=True, stepped=1)),
        TourStep(
            "sgd", "Stochastic gradient descent",
            "<p>Now repeat: a new mini-batch, a new estimate, a small step. The path wobbles — more like "
            "someone ambling quickly downhill than someone carefully surveying every direction before each "
            "step — but it does go down, and it gets there far sooner.</p><p>One pass through all the "
            "training images is an epoch. A few epochs are enough for this network to read most digits.</p>",
            "We took 20 more steps. The cost surface shows the path in the plane of its two main "
            "directions; the Charts tab shows a noisy but falling cost. Press Play in the training panel "
            "to go on.",
            (("pause",), ("step", 20), ("set_surface_plane", "pca"), ("show_panel", "surface"),
             ("set_pace", WATCHABLE_PACE)),
            dict(panel="surface", paused=True, stepped=20, surface_plane="pca", pace=WATCHABLE_PACE)),
        TourStep(
            "chain", "The chain rule, link by link",
            "<p>Behind backpropagation is one rule from calculus. A weight w of the last layer reaches the "
            "cost only through a chain: w changes the weighted sum z, z changes the activation a, and a "
            "changes the cost C. So</p><p align='center'><b>∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a</b></p>"
            "<p>— how active the sending neuron is, times the slope of the squashing function, times how "
            "much the cost changes with the output (for the quadratic cost, twice the gap between output "
            "and target). For a neuron deeper inside, ∂C/∂a is a sum with one term for each neuron of the "
            "next layer: exactly what backpropagation passes back.</p>",
            "The chain-rule panel multiplies the three factors with this image's numbers and checks the "
            "product against backpropagation. Click a connection into a hidden neuron to see the sum term "
            "by term; click two connections to compare how sensitive the cost is to each.",
            (("pause",), ("select_connection", *conn), ("show_panel", "chain_rule")),
            dict(panel="chain_rule", paused=True, connection=conn)),
    ]
