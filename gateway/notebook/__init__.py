"""The notebook: sessions and their code, runs, Improve with AI, dataset uploads, `.ipynb`
import/export and the streamed run."""
