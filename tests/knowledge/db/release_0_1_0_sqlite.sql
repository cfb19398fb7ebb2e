-- The schema release 0.1.0 made with SQLModel.metadata.create_all (sqlite), frozen here:
-- tests upgrade a database made like this and check that nothing is lost.

CREATE TABLE document (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	title VARCHAR NOT NULL, 
	source VARCHAR, 
	published DATE, 
	provinces VARCHAR NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	filename VARCHAR, 
	added_by VARCHAR NOT NULL, 
	added_at DATETIME NOT NULL
);

CREATE UNIQUE INDEX ix_document_content_hash ON document (content_hash);

CREATE INDEX ix_document_published ON document (published);

CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE questionlog (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	asked_at DATETIME NOT NULL, 
	channel VARCHAR NOT NULL, 
	chat_id BIGINT, 
	user_id BIGINT, 
	question TEXT NOT NULL, 
	found BOOLEAN NOT NULL, 
	top_document_id INTEGER, 
	top_passage_id INTEGER
);

CREATE INDEX ix_questionlog_asked_at ON questionlog (asked_at);

CREATE TABLE subscription (
	id INTEGER NOT NULL, 
	chat_id BIGINT NOT NULL, 
	chat_type VARCHAR NOT NULL, 
	chat_title VARCHAR, 
	provinces VARCHAR NOT NULL, 
	topics VARCHAR NOT NULL, 
	lead_days VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	deactivated_reason VARCHAR, 
	created_by BIGINT, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (chat_id)
);

CREATE INDEX ix_subscription_active ON subscription (active);

CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	helpful BOOLEAN NOT NULL, 
	given_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (question_id, user_id), 
	FOREIGN KEY(question_id) REFERENCES questionlog (id) ON DELETE CASCADE
);

CREATE TABLE passage (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	document_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	tokens TEXT NOT NULL, 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE
);

CREATE INDEX ix_passage_document_id ON passage (document_id);

CREATE TABLE deadline (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	document_id INTEGER NOT NULL, 
	passage_id INTEGER, 
	due DATE NOT NULL, 
	precision VARCHAR NOT NULL, 
	task TEXT NOT NULL, 
	agency VARCHAR, 
	provinces VARCHAR NOT NULL, 
	quote TEXT NOT NULL, 
	is_horizon BOOLEAN NOT NULL, 
	added_by VARCHAR NOT NULL, 
	added_at DATETIME NOT NULL, 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE, 
	FOREIGN KEY(passage_id) REFERENCES passage (id) ON DELETE SET NULL
);

CREATE INDEX ix_deadline_document_id ON deadline (document_id);

CREATE INDEX ix_deadline_due ON deadline (due);

CREATE TABLE deadlinecompletion (
	id INTEGER NOT NULL, 
	deadline_id INTEGER NOT NULL, 
	chat_id BIGINT NOT NULL, 
	user_id BIGINT, 
	user_name VARCHAR, 
	done BOOLEAN NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (deadline_id, chat_id), 
	FOREIGN KEY(deadline_id) REFERENCES deadline (id) ON DELETE CASCADE
);

CREATE INDEX ix_deadlinecompletion_deadline_id ON deadlinecompletion (deadline_id);

CREATE TABLE remindersent (
	id INTEGER NOT NULL, 
	deadline_id INTEGER, 
	chat_id BIGINT NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	message_id BIGINT, 
	status VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (deadline_id, chat_id, kind), 
	FOREIGN KEY(deadline_id) REFERENCES deadline (id) ON DELETE CASCADE
);

CREATE INDEX ix_remindersent_chat_id ON remindersent (chat_id);

CREATE UNIQUE INDEX ix_remindersent_digest_once ON remindersent (chat_id, kind) WHERE deadline_id IS NULL;
