"""Training and validation of the IDS model; the service never imports this package.

``python -m apis.ids.ml.train`` compares the candidate pipelines (candidates), by
cross-validation (validation), on the NSL-KDD file (dataset), and writes the model
artifact, metadata.json and the confusion-matrix SVG (training, confusion_svg) that
apis.ids.scoring loads.
"""
