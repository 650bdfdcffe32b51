# A multi-layer perceptron over the 64 pixels of a digits image.
model = dict(
    type='MLPClassifier',
    in_features=64,
    hidden_dims=(256, 128),
    num_classes=10,
    dropout=0.1,
)
