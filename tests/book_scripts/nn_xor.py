# nn_xor.py (Starter Bundle, ch. 10): a 2-2-1 network learns XOR with
# back-propagation. The book's script: no Keras involved, no edit. The small
# version takes --epochs (the book trains 20000).

# import the necessary packages
from pyimagesearch.nn import NeuralNetwork
import numpy as np
import argparse

ap = argparse.ArgumentParser()
ap.add_argument("-e", "--epochs", type=int, default=20000)
args = vars(ap.parse_args())

# construct the XOR dataset
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])

# define our 2-2-1 neural network and train it
nn = NeuralNetwork([2, 2, 1], alpha=0.5)
nn.fit(X, y, epochs=args["epochs"])

# now that our network is trained, loop over the XOR data points
for (x, target) in zip(X, y):
	# make a prediction on the data point and display the result
	# to our console
	pred = nn.predict(x)[0][0]
	step = 1 if pred > 0.5 else 0
	print("[INFO] data={}, ground-truth={}, pred={:.4f}, step={}".format(
		x, target[0], pred, step))
