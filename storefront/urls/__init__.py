"""The shop's routes, included by ``config.urls`` under the language prefix. Each module keeps the URL
namespace its pages had before they moved here (``catalog:``, ``orders:``, ``accounts:``)."""
