"""Progress by province: indicator facts read out of the documents, and questions answered from them."""
