"""The quorum of a villagers' (representatives') meeting, 村民委员会组织法 第二十六条: it sits with at least
two thirds of its members present (三分之二以上, the two thirds themselves included), and decides by a
majority of those present (过半数, more than half). One rule for every meeting a domain records: the
meeting that decided an application (四议两公开) and the one that adopts a distribution plan."""
from flask_babel import lazy_gettext as _l


def attendance_problem(expected: int, present: int):
    """Why the meeting could not sit (a message), or None when it had its quorum."""
    if present > expected:
        return _l("More people present (%(present)d) than expected (%(expected)d).", present=present,
                  expected=expected)
    if present * 3 < expected * 2:
        return _l("No quorum: %(present)d of %(expected)d present, two thirds are needed.", present=present,
                  expected=expected)
    return None


def decision_problem(present: int, votes_for: int, votes_cast: int):
    """Why the meeting did not decide for it (a message), or None when a majority of those present did."""
    if votes_cast > present:
        return _l("More votes (%(votes)d) than people present (%(present)d).", votes=votes_cast, present=present)
    if votes_for * 2 <= present:
        return _l("Not adopted: %(votes)d votes for, a majority of the %(present)d present is needed.",
                  votes=votes_for, present=present)
    return None


def quorum_problem(expected, present, votes_for, against, abstain):
    """Why a meeting with every figure recorded did not adopt its motion (a message), or None when it did."""
    if None in (expected, present, votes_for, against, abstain) or expected <= 0:
        return _l("Enter the meeting's attendance (expected and present) and its votes.")
    if min(present, votes_for, against, abstain) < 0:
        return _l("Attendance and votes cannot be negative.")
    return attendance_problem(expected, present) or decision_problem(present, votes_for, votes_for + against + abstain)
