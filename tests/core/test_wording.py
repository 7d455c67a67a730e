"""The panels speak of digits only when the data holds digits."""
from core.data import Dataset
from core.lesson.wording import DIGITS, NEUTRAL, is_digits, words_for


def test_only_mnist_holds_digits(mnist):
    assert words_for(mnist) is DIGITS and DIGITS.draw_title == "Draw a digit"
    fashion = Dataset(mnist.train_images[:5], mnist.train_labels[:5], mnist.test_images[:5], mnist.test_labels[:5],
                      name="fashion")  # Fashion-MNIST without classes.txt: classes named 0…9
    assert fashion.class_names[:3] == ("0", "1", "2")
    assert words_for(fashion) is NEUTRAL and NEUTRAL.noun == "class" and NEUTRAL.draw_title == "Draw an input"
    assert is_digits(" MNIST ") and not is_digits("kmnist") and not is_digits("Fashion-MNIST")
