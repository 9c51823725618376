"""Meta-learning recommender: dataset meta-features × pipelines × observed outcomes."""
