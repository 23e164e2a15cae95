// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title StakingVault — providers' bonds, unbonding with a delay, and slashing with evidence.
/// @notice A bond backs one node. Unbonding moves part of it into a queue that is released after
/// the delay and stays slashable until then (for faults committed before). The operator slashes
/// with an evidence hash: the compensation share goes to the compensation pool, the rest is burned.
contract StakingVault {
    using SafeERC20 for IERC20;

    address public constant BURN = 0x000000000000000000000000000000000000dEaD;

    IERC20 public immutable token;
    address public immutable operator;
    address public immutable compensationPool;
    uint256 public immutable unbondingDelay;

    struct Unbonding {
        uint256 amount;
        uint64 releaseAt;
    }

    mapping(bytes32 node => address) public ownerOf;
    mapping(bytes32 node => uint256) public bonded;
    mapping(bytes32 node => Unbonding[]) internal queue;

    event Bonded(bytes32 indexed node, address indexed owner, uint256 amount);
    event UnbondRequested(bytes32 indexed node, uint256 indexed id, uint256 amount, uint64 releaseAt);
    event Withdrawn(bytes32 indexed node, uint256 indexed id, uint256 amount);
    event Slashed(bytes32 indexed node, uint256 amount, uint256 compensation, uint256 burned, bytes32 evidence);

    error NotOperator();
    error NotOwner();
    error ZeroAmount();
    error InsufficientBond(uint256 bonded, uint256 requested);
    error NotReleased(uint64 releaseAt);
    error NoSuchUnbonding(uint256 id);
    error InvalidShare(uint256 compensationBps);

    constructor(IERC20 token_, address operator_, address compensationPool_, uint256 unbondingDelay_) {
        token = token_;
        operator = operator_;
        compensationPool = compensationPool_;
        unbondingDelay = unbondingDelay_;
    }

    /// @notice Bond tokens for a node. The first bonder owns the node's bond; only it adds more.
    function bond(bytes32 node, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        address owner = ownerOf[node];
        if (owner == address(0)) ownerOf[node] = msg.sender;
        else if (owner != msg.sender) revert NotOwner();
        bonded[node] += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Bonded(node, msg.sender, amount);
    }

    /// @notice Start unbonding: released after the delay, slashable until then.
    function requestUnbond(bytes32 node, uint256 amount) external returns (uint256 id) {
        if (msg.sender != ownerOf[node]) revert NotOwner();
        if (amount == 0) revert ZeroAmount();
        uint256 b = bonded[node];
        if (amount > b) revert InsufficientBond(b, amount);
        bonded[node] = b - amount;
        uint64 releaseAt = uint64(block.timestamp + unbondingDelay);
        queue[node].push(Unbonding(amount, releaseAt));
        id = queue[node].length - 1;
        emit UnbondRequested(node, id, amount, releaseAt);
    }

    /// @notice Withdraw a released unbonding.
    function withdraw(bytes32 node, uint256 id) external {
        if (msg.sender != ownerOf[node]) revert NotOwner();
        if (id >= queue[node].length) revert NoSuchUnbonding(id);
        Unbonding storage u = queue[node][id];
        if (block.timestamp < u.releaseAt) revert NotReleased(u.releaseAt);
        uint256 amount = u.amount;
        if (amount == 0) revert ZeroAmount();
        u.amount = 0; // state before the transfer
        token.safeTransfer(msg.sender, amount);
        emit Withdrawn(node, id, amount);
    }

    /// @notice Slash a node: from its bond first, then from what is still unbonding (newest first).
    /// `compensationBps` of it goes to the compensation pool, the rest is burned.
    function slash(bytes32 node, uint256 amount, uint256 compensationBps, bytes32 evidence) external {
        if (msg.sender != operator) revert NotOperator();
        if (compensationBps > 10_000) revert InvalidShare(compensationBps);
        if (amount == 0) revert ZeroAmount();
        uint256 left = amount;
        uint256 b = bonded[node];
        uint256 fromBond = left < b ? left : b;
        bonded[node] = b - fromBond;
        left -= fromBond;
        Unbonding[] storage q = queue[node];
        for (uint256 i = q.length; i > 0 && left > 0; i--) {
            Unbonding storage u = q[i - 1];
            if (block.timestamp >= u.releaseAt) continue; // released: no longer slashable
            uint256 take = left < u.amount ? left : u.amount;
            u.amount -= take;
            left -= take;
        }
        if (left > 0) revert InsufficientBond(amount - left, amount);
        uint256 compensation = (amount * compensationBps) / 10_000;
        uint256 burned = amount - compensation;
        if (compensation > 0) token.safeTransfer(compensationPool, compensation);
        if (burned > 0) token.safeTransfer(BURN, burned);
        emit Slashed(node, amount, compensation, burned, evidence);
    }

    function unbonding(bytes32 node, uint256 id) external view returns (uint256 amount, uint64 releaseAt) {
        Unbonding storage u = queue[node][id];
        return (u.amount, u.releaseAt);
    }
}
