"""While training runs, the panels that show the current example name the same image."""
import re

from PySide6.QtWidgets import QLabel
from toys import snapshot, toy_dataset, trained


def image_named(widget) -> int | None:
    """Return the training image a panel names ("Training image 3", "For training image 3, …")."""
    for label in widget.findChildren(QLabel):
        found = re.search(r"[Tt]raining image (\d+)", label.text())
        if found and label.isVisible():
            return int(found.group(1))
    return None


def test_rounds_of_snapshots_leave_the_current_example_and_the_inspector_on_the_same_image(qtbot):
    from gui.example.sample import SampleView
    from gui.inspector.panel import NeuronInspector

    ds = toy_dataset()
    net, _, _ = trained(ds, steps=3)
    sample, inspector = SampleView(), NeuronInspector()
    for widget in (sample, inspector):
        qtbot.addWidget(widget)
        widget.resize(420, 700)
        widget.show()
    sample.set_dataset(ds)
    inspector.set_dataset(ds)
    inspector.set_neuron(1, 0)
    disagreed = []
    for k in range(1, 9):  # the controller's rounds while training runs: both panels get each snapshot
        snap = snapshot(net, ds, index=k, running=True, step=k)
        sample.set_snapshot(snap)
        inspector.set_snapshot(snap)
        qtbot.wait(60)  # within the round
        if image_named(sample) != image_named(inspector):
            disagreed.append((k, image_named(sample), image_named(inspector)))
        qtbot.wait(40)
    assert image_named(sample) is not None
    assert not disagreed
