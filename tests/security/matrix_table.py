"""The authorisation matrix's table: every route × every caller × own / other community.

MATRIX is the whole answer to "who may call what": one line per route and scope, one column per
caller, the status code they get. `tests/security/test_matrix.py` walks the app's own route
table against it, so a route without a line FAILS (a new route is a new question of who may
call it). How to add a line is at the top of that test.

Columns: anon (no token), resident 13800000001, volunteer 13800000004, party (party member)
13800000003, worker 13800000002, provider (staff of 银发餐桌) 13800000005, and the street-wide
reviewer 13800000006 and admin 13800000000 (they cover both communities). Scope `own`: the target
belongs to the `demo` community; `other`: to the `second` community; `-`: no community.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.factories import ADMIN, PARTY, PROVIDER_STAFF, RESIDENT, REVIEWER, VOLUNTEER, WORKER

CALLERS = {
    "anon": None,
    "resident": RESIDENT,
    "volunteer": VOLUNTEER,
    "party": PARTY,
    "worker": WORKER,
    "provider": PROVIDER_STAFF,
    "reviewer": REVIEWER,
    "admin": ADMIN,
}

MATRIX = """
operation_id            scope  anon resident volunteer party worker provider reviewer admin
healthLive              -      200  200      200       200   200    200      200      200
healthReady             -      200  200      200       200   200    200      200      200
GET /                   -      200  200      200       200   200    200      200      200
GET /{path:path}        -      200  200      200       200   200    200      200      200
GET /schema             -      200  200      200       200   200    200      200      200
GET /schema/openapi.json -     200  200      200       200   200    200      200      200
GET /schema/scalar      -      200  200      200       200   200    200      200      200
GET /schema/{path:str}  -      200  200      200       200   200    200      200      200
requestOtp              -      202  202      202       202   202    202      202      202
signIn                  -      200  200      200       200   200    200      200      200
refreshToken            -      200  200      200       200   200    200      200      200
getMe                   -      401  200      200       200   200    200      200      200
listCategories          own    401  200      200       200   200    200      200      200
listCategories          other  401  404      404       404   404    404      200      200
listGrids               own    401  200      200       200   200    200      200      200
listGrids               other  401  404      404       404   404    404      200      200
createOrder             own    401  201      201       201   201    403      403      403
createOrder             other  401  404      404       404   404    403      403      403
listTakers              own    401  403      403       403   200    403      403      200
listTakers              other  401  404      404       404   404    404      403      200
listAuditEntries        own    401  403      403       403   200    403      403      200
listAuditEntries        other  401  404      404       404   404    404      403      200
listInbox               -      401  200      200       200   200    200      200      200
inboxUnreadCount        -      401  200      200       200   200    200      200      200
# a notice addressed to the scope's resident: only they may mark it
markInboxRead           own    401  200      404       404   404    404      404      404
markInboxRead           other  401  404      404       404   404    404      404      404
markInboxAllRead        -      401  200      200       200   200    200      200      200
uploadFile              -      401  201      201       201   201    201      201      201
# a photo attached to a submitted order of the scope's resident: whoever sees the order
getFile                 own    401  200      404       404   200    404      404      200
getFile                 other  401  404      404       404   404    404      404      200
getFileThumbnail        own    401  200      404       404   200    404      404      200
getFileThumbnail        other  401  404      404       404   404    404      404      200
# single sign-on: public steps answer alike for everyone (404: provider not configured in tests;
# 400/422: an empty body); binding needs a caller; rules and links are for admins only
listSignInProviders     -      200  200      200       200   200    200      200      200
startWechatSignIn       -      404  404      404       404   404    404      404      404
finishWechatSignIn      -      400  400      400       400   400    400      400      400
bindWechatToPhone       -      422  422      422       422   422    422      422      422
startOidcSignIn         -      404  404      404       404   404    404      404      404
finishOidcSignIn        -      404  404      404       404   404    404      404      404
signOutOidc             -      200  200      200       200   200    200      200      200
listMyIdentities        -      401  200      200       200   200    200      200      200
startMyWechatBinding    -      401  404      404       404   404    404      404      404
bindMyWechat            -      401  400      400       400   400    400      400      400
unbindMyWechat          -      401  404      404       404   404    404      404      404
listSsoLinks            -      401  403      403       403   403    403      403      200
createSsoLink           -      401  403      403       403   403    403      403      422
deleteSsoLink           -      401  403      403       403   403    403      403      204
listSsoRules            -      401  403      403       403   403    403      403      200
createSsoRule           own    401  403      403       403   403    403      403      201
createSsoRule           other  401  403      403       403   403    403      403      201
deleteSsoRule           -      401  403      403       403   403    403      403      204
# privacy: everyone exports and deletes their own account (each caller deletes themself)
exportMyData            -      401  200      200       200   200    200      200      200
deleteMyAccount         -      401  200      200       200   200    200      200      200
listPrivacyRequests     -      401  403      403       403   403    403      403      200
# Open311 (GeoReport v2) is public and keyed by an integration's api_key, never by a Linli role:
# every caller gets the same answer (400 without jurisdiction_id; a filing with a fresh key: 201)
open311DiscoveryJson    -      200  200      200       200   200    200      200      200
open311DiscoveryXml     -      200  200      200       200   200    200      200      200
open311ListServicesJson -      400  400      400       400   400    400      400      400
open311ListServicesXml  -      400  400      400       400   400    400      400      400
open311ServiceDefinition -     400  400      400       400   400    400      400      400
open311ListRequestsJson -      400  400      400       400   400    400      400      400
open311ListRequestsXml  -      400  400      400       400   400    400      400      400
open311CreateRequestJson -     201  201      201       201   201    201      201      201
open311CreateRequestXml -      201  201      201       201   201    201      201      201
open311GetRequest       -      400  400      400       400   400    400      400      400
open311GetToken         -      400  400      400       400   400    400      400      400
open311Unknown          -      404  404      404       404   404    404      404      404
listIntegrations        -      401  403      403       403   403    403      403      200
createIntegration       -      401  403      403       403   403    403      403      201
revokeIntegration       -      401  403      403       403   403    403      403      200
# micro-venture rounds (rounds and proposals are readable by anyone signed in; acting needs a
# role in the round's area; a draft is its author's alone; see docs/ventures.md)
createRound             own    401  403      403       403   403    403      403      201
createRound             other  401  403      403       403   403    403      403      201
listRounds              -      401  200      200       200   200    200      200      200
getRound                own    401  200      200       200   200    200      200      200
getRound                other  401  200      200       200   200    200      200      200
advanceRound            own    401  403      403       403   403    403      403      200
advanceRound            other  401  403      403       403   403    403      403      200
listNeeds               own    401  200      200       200   200    200      200      200
listNeeds               other  401  200      200       200   200    200      200      200
postNeed                own    401  201      201       201   201    403      403      403
postNeed                other  401  403      403       403   403    403      403      403
deriveNeeds             own    401  403      403       403   200    403      403      200
deriveNeeds             other  401  403      403       403   403    403      403      200
screenNeed              own    401  403      403       403   200    403      200      200
screenNeed              other  401  403      403       403   403    403      200      200
listProposals           own    401  200      200       200   200    200      200      200
listProposals           other  401  200      200       200   200    200      200      200
createProposal          own    401  201      201       201   201    201      403      403
createProposal          other  401  403      403       403   403    403      403      403
previewSelection        own    401  403      403       403   403    403      403      200
previewSelection        other  401  403      403       403   403    403      403      200
getSelection            own    401  403      403       403   403    403      403      200
getSelection            other  401  403      403       403   403    403      403      200
listObjections          own    401  200      200       200   200    200      200      200
listObjections          other  401  200      200       200   200    200      200      200
answerObjection         own    401  403      403       403   403    403      403      200
answerObjection         other  401  403      403       403   403    403      403      200
getProposal             own    401  200      200       200   200    200      200      200
getProposal             other  401  200      200       200   200    200      200      200
# the target is a draft of the scope's resident
updateProposal          own    401  200      404       404   404    404      404      404
updateProposal          other  401  404      404       404   404    404      404      404
submitProposal          own    401  200      404       404   404    404      404      404
submitProposal          other  401  404      404       404   404    404      404      404
judgeEligibility        own    401  403      403       403   200    403      403      200
judgeEligibility        other  401  403      403       403   403    403      403      200
# the author may not support their own proposal
supportProposal         own    401  403      200       200   200    403      403      403
supportProposal         other  401  403      403       403   403    403      403      403
assignReviewers         own    401  403      403       403   403    403      403      200
assignReviewers         other  401  403      403       403   403    403      403      200
# only the seated reviewer has a review to score or recuse from
reviewProposal          own    401  404      404       404   404    404      200      404
reviewProposal          other  401  404      404       404   404    404      200      404
recuseReview            own    401  404      404       404   404    404      200      404
recuseReview            other  401  404      404       404   404    404      200      404
objectToProposal        own    401  201      201       201   201    403      403      403
objectToProposal        other  401  403      403       403   403    403      403      403
getProject              own    401  200      200       200   200    200      200      200
getProject              other  401  200      200       200   200    200      200      200
signContract            own    401  403      403       403   403    403      403      200
signContract            other  401  403      403       403   403    403      403      200
# the project team: its author, and the community's workers (admins count as workers)
addMilestone            own    401  201      403       403   201    403      403      201
addMilestone            other  401  403      403       403   403    403      403      201
completeMilestone       own    401  200      403       403   200    403      403      200
completeMilestone       other  401  403      403       403   403    403      403      200
releaseTranche          own    401  403      403       403   403    403      403      201
releaseTranche          other  401  403      403       403   403    403      403      201
recordExpense           own    401  201      403       403   201    403      403      201
recordExpense           other  401  403      403       403   403    403      403      201
adjustBudget            own    401  403      403       403   403    403      403      201
adjustBudget            other  401  403      403       403   403    403      403      201
evaluateProject         own    401  403      403       403   403    403      201      403
evaluateProject         other  401  403      403       403   403    403      201      403
listComments            own    401  200      200       200   200    200      200      200
listComments            other  401  200      200       200   200    200      200      200
addComment              own    401  201      201       201   201    201      403      403
addComment              other  401  403      403       403   403    403      403      403
reportComment           own    401  200      200       200   200    200      200      200
reportComment           other  401  403      403       403   403    403      200      200
moderateComment         own    401  403      403       403   200    403      403      200
moderateComment         other  401  403      403       403   403    403      403      200
# 三务公开: public, no sign-in
publicRounds            -      200  200      200       200   200    200      200      200
publicRound             own    200  200      200       200   200    200      200      200
publicRound             other  200  200      200       200   200    200      200      200
publicProject           own    200  200      200       200   200    200      200      200
publicProject           other  200  200      200       200   200    200      200      200
publicFile              -      200  200      200       200   200    200      200      200
publicFileThumbnail     -      200  200      200       200   200    200      200      200
exportRound             own    200  200      200       200   200    200      200      200
exportRound             other  200  200      200       200   200    200      200      200
# Around the loop (quality, volunteers, directory, notifications). Workers run their community's
# quality work (callbacks, dashboards, exports, points, rewards, teams, party registrations);
# admins hold the street's dashboards, rankings and the provider directory; a volunteer reads
# their own statement and checks in their own registration; a stream is open to anyone signed in.
# street dashboards: `other` is a street where no demo caller holds a role.
addProviderStaff        -      401  403      403       403   403    403      403      200
callbackRates           other  401  404      404       404   404    404      403      403
callbackRates           own    401  403      403       403   200    403      403      403
communityDashboard      other  401  404      404       404   404    404      403      200
communityDashboard      own    401  403      403       403   200    403      403      200
complainOrder           other  401  404      404       404   404    404      404      403
complainOrder           own    401  403      403       404   200    404      404      403
confirmHours            other  401  404      404       404   404    404      403      403
confirmHours            own    401  403      403       403   200    403      403      403
correctPoints           other  401  404      404       404   404    404      403      403
correctPoints           own    401  403      403       403   201    403      403      403
createProvider          -      401  403      403       403   403    403      403      201
createReward            other  401  404      404       404   404    404      403      403
createReward            own    401  403      403       403   201    403      403      403
createVolunteerTeam     other  401  404      404       404   404    404      403      403
createVolunteerTeam     own    401  403      403       403   201    403      403      403
declarePartyMembership  other  401  404      404       404   404    404      403      403
declarePartyMembership  own    401  403      201       201   403    403      403      403
exportQualityData       other  401  404      404       404   404    404      403      200
exportQualityData       own    401  403      403       403   200    403      403      200
generateCallbackList    other  401  404      404       404   404    404      403      403
generateCallbackList    own    401  403      403       403   200    403      403      403
getCallbackList         other  401  404      404       404   404    404      403      403
getCallbackList         own    401  403      403       403   200    403      403      403
getNotificationPreferences -      401  200      200       200   200    200      200      200
getPointsRule           other  401  404      404       404   404    404      200      200
getPointsRule           own    401  200      200       200   200    200      200      200
listPartyRegistrations  other  401  404      404       404   404    404      403      403
listPartyRegistrations  own    401  403      403       403   200    403      403      403
listProviders           -      401  200      200       200   200    200      200      200
listRewards             other  401  404      404       404   404    404      200      200
listRewards             own    401  200      200       200   200    200      200      200
listVolunteerTeams      other  401  404      404       404   404    404      200      200
listVolunteerTeams      own    401  200      200       200   200    200      200      200
metrics                 -      200  200      200       200   200    200      200      200
myPartyRegistrations    -      401  200      200       200   200    200      200      200
myPointsStatement       other  401  404      404       404   404    404      200      200
myPointsStatement       own    401  200      200       200   200    200      200      200
orderHours              other  401  404      404       404   404    404      404      404
orderHours              own    401  404      200       404   200    404      404      404
partyCheckin            other  401  404      404       404   404    404      404      404
partyCheckin            own    401  404      200       404   404    404      404      404
pushPublicKey           -      401  200      200       200   200    200      200      200
qualityRanking          -      401  403      403       403   200    403      403      200
recordCallback          other  401  404      404       404   404    404      403      403
recordCallback          own    401  403      403       403   200    403      403      403
redeemReward            other  401  404      404       404   404    404      403      403
redeemReward            own    401  403      201       201   403    403      403      403
rejectPartyRegistration other  401  404      404       404   404    404      403      403
rejectPartyRegistration own    401  403      403       403   200    403      403      403
restockReward           other  401  404      404       404   404    404      403      403
restockReward           own    401  403      403       403   200    403      403      403
setNotificationPreferences -      401  200      200       200   200    200      200      200
setPointsRule           other  401  404      404       404   404    404      403      403
setPointsRule           own    401  403      403       403   200    403      403      403
setVolunteerPreferences -      401  200      200       200   200    200      200      200
streamEvents            -      401  200      200       200   200    200      200      200
streetDashboard         other  401  404      404       404   404    404      404      404
streetDashboard         own    401  404      404       404   404    404      404      200
subscribePush           -      401  201      201       201   201    201      201      201
unsubscribePush         -      401  204      404       404   404    404      404      404
verifyPartyRegistration other  401  404      404       404   404    404      403      403
verifyPartyRegistration own    401  403      403       403   200    403      403      403
volunteerLeaderboard    other  401  404      404       404   404    404      200      200
volunteerLeaderboard    own    401  200      200       200   200    200      200      200
volunteerStatement      other  401  404      404       404   404    404      403      403
volunteerStatement      own    401  403      200       403   200    403      403      403
listOrders              -      401  200      200       200   200    200      200      200
getOrder                own    401  200      404       404   200    404      404      200
getOrder                other  401  404      404       404   404    404      404      200
dispatchOrder           own    401  403      404       404   200    404      404      403
dispatchOrder           other  401  404      404       404   404    404      404      403
acceptOrder             own    401  403      200       200   403    404      404      403
acceptOrder             other  401  404      404       404   404    404      404      403
# decline succeeds for the assignee, whose answer is then 404: the order has left their sight
declineOrder            own    401  403      404       404   403    404      404      403
declineOrder            other  401  404      404       404   404    404      404      403
startOrder              own    401  403      200       404   403    404      404      403
startOrder              other  401  404      404       404   404    404      404      403
completeOrder           own    401  403      200       404   403    404      404      403
completeOrder           other  401  404      404       404   404    404      404      403
rateOrder               own    401  200      403       404   403    404      404      403
rateOrder               other  401  404      404       404   404    404      404      403
cancelOrder             own    401  200      404       404   200    404      404      403
cancelOrder             other  401  404      404       404   404    404      404      403
rejectOrder             own    401  403      404       404   200    404      404      403
rejectOrder             other  401  404      404       404   404    404      404      403
reopenOrder             own    401  200      403       404   403    404      404      403
reopenOrder             other  401  404      404       404   404    404      404      403
"""


@dataclass
class Row:
    key: str
    scope: str
    expected: dict[str, int] = field(default_factory=dict)


def _parse(table: str) -> dict[str, list[Row]]:
    lines = [ln for ln in table.strip().splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split()[2:]
    assert header == list(CALLERS), f"MATRIX columns must be {list(CALLERS)}"
    rows: dict[str, list[Row]] = {}
    for line in lines[1:]:
        *key_parts, scope = line.split()[: -len(header)]
        codes = [int(c) for c in line.split()[-len(header) :]]
        key = " ".join(key_parts)
        rows.setdefault(key, []).append(Row(key, scope, dict(zip(header, codes, strict=True))))
    return rows


ROWS = _parse(MATRIX)
