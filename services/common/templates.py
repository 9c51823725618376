"""The seed's starter template: the code a new notebook session starts with.

Shared by the gateway (new sessions), the coach (baseline comparisons) and the benchmarks.
"""

STARTER_TEMPLATE = """import pandas as pd
import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, classification_report
import json

# Load data (uses Iris if no CSV uploaded)
try:
    df = pd.read_csv('/data/uploaded.csv')
    X = df.iloc[:, :-1]
    y = df.iloc[:, -1]
except:
    iris = load_iris()
    X = pd.DataFrame(iris.data, columns=iris.feature_names)
    y = iris.target

# Dataset summary
print(f"DATASET_INFO: {json.dumps({'rows': len(X), 'columns': len(X.columns), 'features': list(X.columns)})}")

# Train/test split
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# Train model
model = LogisticRegression(max_iter=200)
model.fit(X_train, y_train)

# Predictions
y_pred = model.predict(X_test)

# Metrics
accuracy = accuracy_score(y_test, y_pred)
cm = confusion_matrix(y_test, y_pred).tolist()

print(f"MODEL_TYPE: LogisticRegression")
print(f"ACCURACY: {accuracy:.4f}")
print(f"CONFUSION_MATRIX: {json.dumps(cm)}")
print(f"CLASSIFICATION_REPORT:\\n{classification_report(y_test, y_pred)}")
"""
